namespace RemoteWorkloadOperator.Entities;

/// <summary>Annotations and labels the operator reads or writes.</summary>
public static class WorkloadAnnotations
{
    /// <summary>When its value differs from status.lastHandledRetryRequest, one attempt is made now.</summary>
    public const string RetryRequestedAt = "workloads.dev/retry-requested-at";

    /// <summary>
    /// On a ServiceAccount: the workloads of its namespace that may use its tokens (comma-separated names, or <c>*</c>).
    /// Without it no workload may: a workload author must not borrow a ServiceAccount's identity at the IdP unchecked.
    /// </summary>
    public const string AllowedWorkloads = "workloads.dev/allowed-workloads";

    /// <summary>Label on Secrets the operator manages.</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    /// <summary>Value of <see cref="ManagedByLabel"/>.</summary>
    public const string ManagedByValue = "remoteworkload-operator";

    /// <summary>Label naming the workload a Secret belongs to.</summary>
    public const string WorkloadLabel = "workloads.dev/workload";
}
