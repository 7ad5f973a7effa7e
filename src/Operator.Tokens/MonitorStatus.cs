using RemoteWorkloadOperator.Entities;
namespace RemoteWorkloadOperator.Tokens;

/// <summary>What kind of status write this is.</summary>
public enum StatusUpdateKind
{
    /// <summary>A phase transition (the transition table in docs/token-monitor.md): write everything; <see cref="StatusUpdate.Event"/> is usually set.</summary>
    Transition,

    /// <summary>A scheduled refresh succeeded: only <c>status.token</c> times changed; no event.</summary>
    TokenTimes,

    /// <summary>An AuthRetrying tick failed before the deadline, or a probe after the ceiling failed transiently: only
    /// <c>status.authRetry</c> changed; no event.</summary>
    RetryProgress,

    /// <summary>The status is unchanged; only record <see cref="StatusUpdate.Event"/> (a permanent rejection of a new credentials version).</summary>
    EventOnly,

    /// <summary>
    /// The monitor stopped holding a rotated refresh token it could not store within the grace: only
    /// <see cref="MonitorStatus.RotationUnstoredAt"/> changed; the event says what a person may have to do.
    /// </summary>
    RotationUnstored,
}

/// <summary>Severity of an event.</summary>
public enum MonitorEventType
{
    /// <summary>Kubernetes <c>Normal</c>.</summary>
    Normal,

    /// <summary>Kubernetes <c>Warning</c>.</summary>
    Warning,
}

/// <summary>One call to <see cref="IStatusSink"/>: the complete desired status, plus an optional event.</summary>
public sealed record StatusUpdate(StatusUpdateKind Kind, MonitorStatus Status, MonitorEvent? Event);

/// <summary>An event to record on the workload.</summary>
public sealed record MonitorEvent(MonitorEventType Type, string Reason, string Message);

/// <summary>
/// The one state record of a workload's status: what the engine reports with every update, what the reconcile reports
/// as its verdict (Failed, Pending), and what a monitor resumes from. <c>StatusMapping</c> maps it to and from
/// <c>RemoteWorkloadStatus</c> and is the only place conditions are made.
/// </summary>
public sealed record MonitorStatus
{
    /// <summary>A workload that has had no token yet.</summary>
    public static MonitorStatus Fresh { get; } = new() { Phase = WorkloadPhase.Pending, Reason = Reasons.Pending, Message = "waiting for the first token" };

    /// <summary>Phase.</summary>
    public required WorkloadPhase Phase { get; init; }

    /// <summary>CamelCase reason, mirrors the Ready condition.</summary>
    public required string Reason { get; init; }

    /// <summary>Human message (sanitised).</summary>
    public required string Message { get; init; }

    /// <summary>Token times (never the token).</summary>
    public TokenTimes Token { get; init; } = TokenTimes.None;

    /// <summary>Set while AuthRetrying and kept after a give-up; null after recovery.</summary>
    public AuthRetryInfo? AuthRetry { get; init; }

    /// <summary>The last classified failure (cached for fast-fail), or null after a success.</summary>
    public TokenFailure? LastFailure { get; init; }

    /// <summary>The issuer discovery found for the last grant (null with a direct token URL or before any grant).</summary>
    public string? DiscoveredIssuer { get; init; }

    /// <summary>The token endpoint discovery found for the last grant.</summary>
    public Uri? DiscoveredTokenEndpoint { get; init; }

    /// <summary>
    /// The IdP's access token lifetime when it is shorter than the minimum refresh interval (the token is then refreshed
    /// at that interval and expires before it); null otherwise. Behind the <c>ShortTokenLifetime</c> condition.
    /// </summary>
    public TimeSpan? ShortTokenLifetime { get; init; }

    /// <summary>
    /// When a monitor stopped with a rotated refresh token it could not store (the state Secret holds a spent one);
    /// null once a later grant succeeded. Behind the <c>RotationUnstored</c> condition.
    /// </summary>
    public DateTimeOffset? RotationUnstoredAt { get; init; }
}

/// <summary>Token times for <c>status.token</c>.</summary>
public sealed record TokenTimes(DateTimeOffset? ExpiresAt, DateTimeOffset? LastRefreshTime, DateTimeOffset? NextRefreshTime)
{
    /// <summary>When the refresh token itself ends, if the IdP said (from the last grant).</summary>
    public DateTimeOffset? RefreshTokenExpiresAt { get; init; }

    /// <summary>Where <see cref="ExpiresAt"/> came from (<see cref="Entities.ExpirySources"/>), from the last grant.</summary>
    public string? ExpirySource { get; init; }

    /// <summary>No token yet.</summary>
    public static TokenTimes None { get; } = new(null, null, null);
}

/// <summary><c>status.authRetry</c>.</summary>
public sealed record AuthRetryInfo(
    DateTimeOffset StartedAt,
    DateTimeOffset Deadline,
    int Attempts,
    DateTimeOffset? LastAttemptTime,
    DateTimeOffset? NextAttemptTime,
    string? LastError)
{
    /// <summary>After the ceiling: when the next slow probe is made; null when none is planned.</summary>
    public DateTimeOffset? NextProbeTime { get; init; }
}
