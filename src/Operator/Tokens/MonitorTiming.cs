namespace RemoteWorkloadOperator.Tokens;

/// <summary>Short retry and AuthRetrying settings. Defaults are those of docs/configuration.md.</summary>
public sealed record RetryPolicyOptions
{
    /// <summary>The documented defaults (docs/configuration.md).</summary>
    public static RetryPolicyOptions Default { get; } = new();

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
}

/// <summary>When to refresh ahead of expiry (spec <c>spec.refresh</c>).</summary>
public sealed record RefreshPolicyOptions
{
    /// <summary>The documented defaults (docs/configuration.md).</summary>
    public static RefreshPolicyOptions Default { get; } = new();

    /// <summary>Refresh when the token has this long left ...</summary>
    public TimeSpan BeforeExpiry { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>... or when this fraction of its lifetime has passed, whichever is first.</summary>
    public double LifetimeFraction { get; init; } = 0.8;
}

/// <summary>All timing knobs of one monitor.</summary>
public sealed record MonitorTiming
{
    /// <summary>The documented defaults (docs/configuration.md).</summary>
    public static MonitorTiming Default { get; } = new();

    /// <summary>Short retry and AuthRetrying.</summary>
    public RetryPolicyOptions Retry { get; init; } = RetryPolicyOptions.Default;

    /// <summary>Refresh ahead of expiry.</summary>
    public RefreshPolicyOptions Refresh { get; init; } = RefreshPolicyOptions.Default;

    /// <summary>Start-up attempts are spread uniformly over this window so a restart does not stampede the IdP.</summary>
    public TimeSpan StartupSpread { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>While AuthRetrying with a still-valid token, attempt this long before it expires.</summary>
    public TimeSpan PreExpiryLead { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a stop waits for a token request that was already sent and for the persistence of what it returned:
    /// the request timeout (30 s) plus the state-Secret write. A new owner of the workload waits this long before its
    /// first refresh-token request when the previous owner may still be in flight.
    /// </summary>
    public TimeSpan FlightGrace { get; init; } = DefaultFlightGrace;

    /// <summary>The default of <see cref="FlightGrace"/>.</summary>
    public static TimeSpan DefaultFlightGrace { get; } = TimeSpan.FromSeconds(45);
}
