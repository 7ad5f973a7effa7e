namespace RemoteWorkloadOperator.Entities.Validation;

/// <summary>
/// The operator-wide retry and refresh defaults that fill unset <c>spec.retry</c> and
/// <c>spec.refresh</c> fields. Cross-field rules are checked on the effective values, so a
/// workload that only sets <c>tickInterval: 48h</c> is rejected against a 24h default ceiling.
/// </summary>
public sealed record RetryDefaults
{
    /// <summary>The defaults of the documented defaults (docs/configuration.md).</summary>
    public static RetryDefaults Standard { get; } = new();

    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromMinutes(2);

    public int MaxAttempts { get; init; } = 5;

    public TimeSpan MaxElapsed { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan Ceiling { get; init; } = TimeSpan.FromHours(24);

    public TimeSpan BeforeExpiry { get; init; } = TimeSpan.FromSeconds(60);

    public double LifetimeFraction { get; init; } = 0.8;

    /// <summary>The smallest AuthRetrying cadence allowed, so a mistake cannot hammer an IdP.</summary>
    public static TimeSpan MinimumTickInterval { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait any retry or refresh setting may ask for (one tick of a daily cadence).</summary>
    public static TimeSpan MaximumInterval { get; } = TimeSpan.FromHours(24);

    /// <summary>The longest AuthRetrying ceiling: a month is longer than any outage worth waiting out unattended.</summary>
    public static TimeSpan MaximumCeiling { get; } = TimeSpan.FromDays(30);
}
