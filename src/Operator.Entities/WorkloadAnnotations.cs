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

    /// <summary>On a state Secret: the uid of the workload it last served (it has no ownerReference, so it outlives it).</summary>
    public const string WorkloadUid = "workloads.dev/workload-uid";

    /// <summary>On a refresh-token claim Secret: the claimed key, <c>&lt;Secret name&gt;/&lt;key&gt;</c>.</summary>
    public const string ClaimedRefreshToken = "workloads.dev/claimed-refresh-token";

    /// <summary>On a state Secret: when the operator saw its workload gone (RFC 3339); the retention counts from here.</summary>
    public const string OrphanedAt = "workloads.dev/orphaned-at";
}
