namespace RemoteWorkloadOperator.Entities;

/// <summary>
/// The phase a workload is in when a credential it references cannot be read, whoever finds out (the reconcile or the
/// monitor at an attempt). A Secret or ServiceAccount that does not exist yet may still be created, often by another
/// controller a moment later, so the workload waits in Pending; a Secret without the named key, or a ServiceAccount that
/// does not allow the workload, is a mistake only a person fixes: Failed.
/// </summary>
public static class MissingCredentialPhases
{
    /// <summary>The phase for a missing-credential <paramref name="reason"/>.</summary>
    public static WorkloadPhase For(string reason) =>
        reason is Reasons.SecretNotFound or Reasons.ServiceAccountNotFound ? WorkloadPhase.Pending : WorkloadPhase.Failed;
}
