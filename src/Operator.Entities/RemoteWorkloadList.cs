using k8s;
using k8s.Models;

namespace RemoteWorkloadOperator.Entities;

/// <summary>The list type the API server returns for <see cref="RemoteWorkload"/>.</summary>
public sealed class RemoteWorkloadList : IKubernetesObject<V1ListMeta>, IItems<RemoteWorkload>
{
    public string ApiVersion { get; set; } = WorkloadApi.ApiVersion;

    public string Kind { get; set; } = WorkloadApi.ListKind;

    public V1ListMeta Metadata { get; set; } = new();

    public IList<RemoteWorkload> Items { get; set; } = [];
}
