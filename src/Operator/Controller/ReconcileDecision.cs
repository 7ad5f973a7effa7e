using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>What a reconcile concludes about one workload: hold it with a verdict, or run its monitor with these inputs.</summary>
/// <param name="Verdict">Failed or Pending, with the reason and an actionable message; null when the monitor should run.</param>
/// <param name="Recheck">When a held workload is looked at again without an event (a Secret that may yet appear).</param>
/// <param name="Inputs">The credential inputs the monitor runs with.</param>
/// <param name="TokenSecretPresent">Whether our token Secret exists (a resumed Running workload without it asks for a token).</param>
public sealed record ReconcileDecision(MonitorStatus? Verdict, TimeSpan? Recheck, CredentialInputs? Inputs, bool TokenSecretPresent)
{
    /// <summary>Hold the workload in the verdict's phase.</summary>
    public static ReconcileDecision Hold(MonitorStatus verdict, TimeSpan? recheck = null) => new(verdict, recheck, null, false);

    /// <summary>Run (or keep running) the workload's monitor.</summary>
    public static ReconcileDecision Run(CredentialInputs inputs, bool tokenSecretPresent) => new(null, null, inputs, tokenSecretPresent);
}
