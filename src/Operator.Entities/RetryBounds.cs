namespace RemoteWorkloadOperator.Entities;

/// <summary>
/// Limits on every retry and refresh duration, enforced alike by the CRD, the validator and the operator's
/// environment, so a mistake can neither hammer an IdP nor wait longer than timers and people can follow.
/// </summary>
public static class RetryBounds
{
    /// <summary>The smallest AuthRetrying cadence allowed.</summary>
    public static TimeSpan MinimumTickInterval { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait any retry or refresh setting may ask for (one tick of a daily cadence).</summary>
    public static TimeSpan MaximumInterval { get; } = TimeSpan.FromHours(24);

    /// <summary>The shortest probe interval after the ceiling (0 turns probing off): a probe is a slow watch, not a retry.</summary>
    public static TimeSpan MinimumProbeInterval { get; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest AuthRetrying ceiling: a month is longer than any outage worth waiting out unattended.</summary>
    public static TimeSpan MaximumCeiling { get; } = TimeSpan.FromDays(30);
}
