using k8s.Models;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Publishing;

/// <summary>Labels that mark Secrets as this operator's, and the check that refuses to touch others.</summary>
public static class ManagedSecrets
{
    public static Dictionary<string, string> Labels(string workloadName) => new()
    {
        [WorkloadAnnotations.ManagedByLabel] = WorkloadAnnotations.ManagedByValue,
        [WorkloadAnnotations.WorkloadLabel] = workloadName,
    };

    /// <summary>True when <paramref name="secret"/> was written by this operator for <paramref name="workloadName"/>.</summary>
    public static bool IsManagedFor(V1Secret secret, string workloadName) =>
        secret.Metadata.Labels is { } labels
        && labels.TryGetValue(WorkloadAnnotations.ManagedByLabel, out var managedBy) && managedBy == WorkloadAnnotations.ManagedByValue
        && labels.TryGetValue(WorkloadAnnotations.WorkloadLabel, out var workload) && workload == workloadName;
}
