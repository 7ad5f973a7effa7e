namespace RemoteWorkloadOperator.Entities;

/// <summary>
/// Limits on every retry and refresh duration, enforced alike by the CRD, the validator and the operator's
/// environment, so a mistake can neither hammer an IdP nor wait longer than timers and people can follow.
/// </summary>
public static class RetryBounds
{
    /// <summary>The shortest short-retry wait (<c>initialInterval</c>, <c>maxInterval</c>): below it the short retry is a burst.</summary>
    public static TimeSpan MinimumShortRetryInterval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most short-retry attempts after the first failure: with the minimum interval, one trigger then costs the IdP at
    /// most eleven requests, not a hundred and one.
    /// </summary>
    public const int MaximumAttempts = 10;

    /// <summary>The smallest AuthRetrying cadence allowed.</summary>
    public static TimeSpan MinimumTickInterval { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait any retry or refresh setting may ask for (one tick of a daily cadence).</summary>
    public static TimeSpan MaximumInterval { get; } = TimeSpan.FromHours(24);

    /// <summary>The shortest probe interval after the ceiling (0 turns probing off): a probe is a slow watch, not a retry.</summary>
    public static TimeSpan MinimumProbeInterval { get; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest AuthRetrying ceiling: a month is longer than any outage worth waiting out unattended.</summary>
    public static TimeSpan MaximumCeiling { get; } = TimeSpan.FromDays(30);
}
