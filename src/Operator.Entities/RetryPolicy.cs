namespace RemoteWorkloadOperator.Entities;

/// <summary>
/// The short retry and the AuthRetrying cadence of one workload. <see cref="Default"/> holds the documented defaults
/// (docs/configuration.md); the operator's environment replaces them operator-wide, and <c>spec.retry</c> per workload.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>The documented defaults.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>First wait of the short retry.</summary>
    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Cap on one wait of the short retry.</summary>
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Retries after the first failed attempt.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Total budget of the short retry: no wait may pass it.</summary>
    public TimeSpan MaxElapsed { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Cadence of AuthRetrying attempts (jittered by ±10 %).</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest stay in AuthRetrying, measured from <c>authRetry.startedAt</c>.</summary>
    public TimeSpan Ceiling { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// After the ceiling, when the last failure was transient: one probe attempt per this interval, so a workload is
    /// never lost to a failure that heals, however long it lasts. <see cref="TimeSpan.Zero"/> turns probing off.
    /// </summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromHours(1);
}
