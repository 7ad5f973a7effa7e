using k8s.Models;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Controller;

/// <summary>The identity of a workload that publishers need: where it lives and how to own objects.</summary>
public sealed record WorkloadReference(string Namespace, string Name, string Uid)
{
    public string Key => $"{Namespace}/{Name}";

    public static WorkloadReference From(RemoteWorkload workload) =>
        new(workload.Metadata.NamespaceProperty, workload.Metadata.Name, workload.Metadata.Uid);

    /// <summary>A controller ownerReference, so the API server garbage-collects owned objects with the workload.</summary>
    public V1OwnerReference OwnerReference() => new()
    {
        ApiVersion = WorkloadApi.ApiVersion,
        Kind = WorkloadApi.Kind,
        Name = Name,
        Uid = Uid,
        Controller = true,
    };

    /// <summary>The reference Events point at.</summary>
    public V1ObjectReference ObjectReference() => new()
    {
        ApiVersion = WorkloadApi.ApiVersion,
        Kind = WorkloadApi.Kind,
        Name = Name,
        NamespaceProperty = Namespace,
        Uid = Uid,
    };
}
