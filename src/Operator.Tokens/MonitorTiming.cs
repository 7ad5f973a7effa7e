using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>All timing knobs of one monitor.</summary>
public sealed record MonitorTiming
{
    // The defaults come first: static initialisers run in textual order, and Default reads them.

    /// <summary>The default of <see cref="FlightGrace"/>.</summary>
    public static TimeSpan DefaultFlightGrace { get; } = TimeSpan.FromSeconds(45);

    /// <summary>The default of <see cref="MinimumRefreshInterval"/>.</summary>
    public static TimeSpan DefaultMinimumRefreshInterval { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The default of <see cref="PropagationDelay"/>.</summary>
    public static TimeSpan DefaultPropagationDelay { get; } = TimeSpan.FromSeconds(90);

    /// <summary>The documented defaults (docs/configuration.md).</summary>
    public static MonitorTiming Default { get; } = new();

    /// <summary>Short retry and AuthRetrying.</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>Refresh ahead of expiry.</summary>
    public RefreshPolicy Refresh { get; init; } = RefreshPolicy.Default;

    /// <summary>Start-up attempts are spread uniformly over this window so a restart does not stampede the IdP.</summary>
    public TimeSpan StartupSpread { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Paces the start-up work of all monitors of a process by how much of it is due (shared instance); null spreads
    /// each monitor's start over <see cref="StartupSpread"/> alone.
    /// </summary>
    public StartupPacer? StartupPacer { get; init; }

    /// <summary>
    /// The shortest time between a token's issue and its refresh, whatever its lifetime: an IdP that issues 1-5 s tokens
    /// would otherwise cost a token request, a Secret write and a status patch every second, forever.
    /// </summary>
    public TimeSpan MinimumRefreshInterval { get; init; } = DefaultMinimumRefreshInterval;

    /// <summary>
    /// How long a changed token Secret may take to reach a consumer: a mounted Secret is updated by the kubelet's sync
    /// (about a minute plus its cache TTL). A refresh comes at least this long before expiry (but never before half the
    /// lifetime), so no consumer holds an expired token while the operator holds a fresh one.
    /// </summary>
    public TimeSpan PropagationDelay { get; init; } = DefaultPropagationDelay;

    /// <summary>While AuthRetrying with a still-valid token, attempt this long before it expires.</summary>
    public TimeSpan PreExpiryLead { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a stop waits for a token request that was already sent and for the persistence of what it returned:
    /// the request timeout (30 s) plus the state-Secret write. A new owner of the workload waits this long before its
    /// first refresh-token request when the previous owner may still be in flight.
    /// </summary>
    public TimeSpan FlightGrace { get; init; } = DefaultFlightGrace;
}
