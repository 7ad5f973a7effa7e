namespace RemoteWorkloadOperator.Entities;

/// <summary>
/// The phase a workload is in when a credential it references cannot be read, whoever finds out (the reconcile or the
/// monitor at an attempt). A Secret that does not exist yet may still be created, often by another controller a moment
/// later, so the workload waits in Pending; a Secret without the named key is a mistake only a person fixes: Failed.
/// </summary>
public static class MissingCredentialPhases
{
    /// <summary>The phase for a missing-credential <paramref name="reason"/> (<see cref="Reasons.SecretNotFound"/> or <see cref="Reasons.SecretKeyMissing"/>).</summary>
    public static WorkloadPhase For(string reason) => reason == Reasons.SecretNotFound ? WorkloadPhase.Pending : WorkloadPhase.Failed;
}
