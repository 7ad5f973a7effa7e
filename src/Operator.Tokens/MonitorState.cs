using System.Collections.Immutable;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// Everything a monitor knows about its workload between attempts, as one immutable value. The transition table
/// (<see cref="TokenTransitions"/>) maps a state and an outcome to the next state, so a transition is computed
/// completely before the monitor replaces its state: an exception can never leave half of it applied.
/// </summary>
internal sealed record MonitorState
{
    /// <summary>A workload that has not had a token yet.</summary>
    public static MonitorState Initial { get; } = new();

    /// <summary>The phase.</summary>
    public WorkloadPhase Phase { get; init; } = WorkloadPhase.Pending;

    /// <summary>CamelCase reason (mirrors the Ready condition).</summary>
    public string Reason { get; init; } = Reasons.Pending;

    /// <summary>Human message, sanitised.</summary>
    public string Message { get; init; } = "waiting for the first token";

    /// <summary>Expiry of the published token.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When the refresh token itself ends, if the IdP said (from the last grant).</summary>
    public DateTimeOffset? RefreshTokenExpiresAt { get; init; }

    /// <summary>Where <see cref="ExpiresAt"/> came from (<see cref="Entities.ExpirySources"/>), from the last grant.</summary>
    public string? ExpirySource { get; init; }

    /// <summary>The issuer discovery found for the last grant (null with a direct token URL).</summary>
    public string? DiscoveredIssuer { get; init; }

    /// <summary>The token endpoint discovery found for the last grant.</summary>
    public Uri? DiscoveredTokenEndpoint { get; init; }

    /// <summary>When the published token was issued.</summary>
    public DateTimeOffset? LastRefresh { get; init; }

    /// <summary>When the next refresh is planned (Running only).</summary>
    public DateTimeOffset? NextRefresh { get; init; }

    /// <summary><c>status.authRetry</c>: set while AuthRetrying, kept after a give-up.</summary>
    public AuthRetryInfo? AuthRetry { get; init; }

    /// <summary>The last classified failure (the fast-fail answer), null after a success.</summary>
    public TokenFailure? LastFailure { get; init; }

    /// <summary>The IdP's token lifetime when it is shorter than the minimum refresh interval (last grant); else null.</summary>
    public TimeSpan? ShortTokenLifetime { get; init; }

    /// <summary>When a monitor stopped with a rotated refresh token it could not store; cleared by the next grant.</summary>
    public DateTimeOffset? RotationUnstoredAt { get; init; }

    /// <summary>(error code, credentials version) pairs whose remediation hint was already sent.</summary>
    public ImmutableHashSet<string> RemediationsSent { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>The expiry of the published token while it is still valid at <paramref name="now"/>.</summary>
    public DateTimeOffset? ValidExpiry(DateTimeOffset now) => ExpiresAt is { } e && e > now ? e : null;

    /// <summary>The complete status this state describes.</summary>
    public MonitorStatus ToStatus() => new()
    {
        Phase = Phase,
        Reason = Reason,
        Message = Message,
        Token = new TokenTimes(ExpiresAt, LastRefresh, Phase == WorkloadPhase.Running ? NextRefresh : null) { RefreshTokenExpiresAt = RefreshTokenExpiresAt, ExpirySource = ExpirySource },
        DiscoveredIssuer = DiscoveredIssuer,
        DiscoveredTokenEndpoint = DiscoveredTokenEndpoint,
        AuthRetry = AuthRetry,
        LastFailure = LastFailure,
        RotationUnstoredAt = RotationUnstoredAt,
        ShortTokenLifetime = ShortTokenLifetime,
    };
}
