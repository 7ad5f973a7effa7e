using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>What the controller needs of a token monitor: start it, poke it, read it, stop it.</summary>
public interface IWorkloadMonitor
{
    /// <summary>The monitor's current status (what a spec edit resumes the next monitor from).</summary>
    MonitorStatus Status { get; }

    /// <summary>Starts from the persisted state (resumes AuthRetrying deadlines, waits for refresh times); no
    /// refresh-token request before <paramref name="refreshTokenFence"/>.</summary>
    void Start(MonitorResumeState state, DateTimeOffset? refreshTokenFence);

    /// <summary>A referenced credentials Secret changed: one immediate attempt, even from Unauthenticated.</summary>
    void CredentialsChanged();

    /// <summary>A new retry-requested-at value, or a change of what the token request depends on: one attempt now.</summary>
    void RetryRequested();

    /// <summary>A reconcile or resync: fast-fails during AuthRetrying, never an extra token request.</summary>
    void Nudge();

    /// <summary>Stops quietly: no status write; a sent token request and its persistence finish first.</summary>
    Task StopAsync();
}

/// <summary>The ports a monitor is wired to.</summary>
public sealed record MonitorPorts(ICredentialsSource Credentials, IRotatedRefreshTokenSink RotatedTokens, ITokenPublisher Publisher, IStatusSink Status);

/// <summary>Creates a monitor for a configuration and its ports.</summary>
public delegate IWorkloadMonitor MonitorFactory(TokenMonitorConfig config, MonitorPorts ports);
