using RemoteWorkloadOperator.Entities;
namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// What the controller read back from <c>status</c> when it starts a monitor (operator restart, leader
/// change), so restarts neither reset the ceiling nor stampede the IdP.
/// </summary>
public sealed record MonitorResumeState
{
    /// <summary>A workload with no status yet.</summary>
    public static MonitorResumeState Fresh { get; } = new();

    /// <summary>The resume state that a status written by a monitor describes (what the next leader reads back).</summary>
    public static MonitorResumeState From(MonitorStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new MonitorResumeState
        {
            Phase = status.Phase,
            Reason = status.Reason,
            Message = status.Message,
            AuthRetryStartedAt = status.AuthRetry?.StartedAt,
            AuthRetryDeadline = status.AuthRetry?.Deadline,
            NextAttemptTime = status.AuthRetry?.NextAttemptTime,
            LastAttemptTime = status.AuthRetry?.LastAttemptTime,
            Attempts = status.AuthRetry?.Attempts ?? 0,
            LastError = status.AuthRetry?.LastError,
            TokenExpiresAt = status.Token.ExpiresAt,
            LastRefreshTime = status.Token.LastRefreshTime,
            NextRefreshTime = status.Token.NextRefreshTime,
        };
    }

    /// <summary>Persisted phase.</summary>
    public WorkloadPhase Phase { get; init; } = WorkloadPhase.Pending;

    /// <summary>Persisted reason (kept while the monitor idles).</summary>
    public string? Reason { get; init; }

    /// <summary>Persisted message.</summary>
    public string? Message { get; init; }

    /// <summary><c>authRetry.startedAt</c>.</summary>
    public DateTimeOffset? AuthRetryStartedAt { get; init; }

    /// <summary><c>authRetry.deadline</c>.</summary>
    public DateTimeOffset? AuthRetryDeadline { get; init; }

    /// <summary><c>authRetry.nextAttemptTime</c>.</summary>
    public DateTimeOffset? NextAttemptTime { get; init; }

    /// <summary><c>authRetry.lastAttemptTime</c>.</summary>
    public DateTimeOffset? LastAttemptTime { get; init; }

    /// <summary><c>authRetry.attempts</c>.</summary>
    public int Attempts { get; init; }

    /// <summary><c>authRetry.lastError</c>.</summary>
    public string? LastError { get; init; }

    /// <summary><c>token.expiresAt</c>.</summary>
    public DateTimeOffset? TokenExpiresAt { get; init; }

    /// <summary><c>token.lastRefreshTime</c>.</summary>
    public DateTimeOffset? LastRefreshTime { get; init; }

    /// <summary><c>token.nextRefreshTime</c>.</summary>
    public DateTimeOffset? NextRefreshTime { get; init; }
}
