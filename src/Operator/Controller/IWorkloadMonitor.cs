using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>What the controller needs of a token monitor: start it, poke it, stop it.</summary>
public interface IWorkloadMonitor
{
    /// <summary>Starts from the persisted state (resumes AuthRetrying deadlines, waits for refresh times).</summary>
    void Start(MonitorResumeState state);

    /// <summary>A referenced credentials Secret changed: one immediate attempt, even from Unauthenticated.</summary>
    void CredentialsChanged();

    /// <summary>A new retry-requested-at value: one immediate attempt, bypassing any wait.</summary>
    void RetryRequested();

    /// <summary>A reconcile or resync: fast-fails during AuthRetrying, never an extra token request.</summary>
    void Nudge();

    /// <summary>Stops quietly: no status write, no token request.</summary>
    Task StopAsync();
}

/// <summary>The ports a monitor is wired to.</summary>
public sealed record MonitorPorts(ICredentialsSource Credentials, IRotatedRefreshTokenSink RotatedTokens, ITokenPublisher Publisher, IStatusSink Status);

/// <summary>Creates a monitor for a configuration and its ports.</summary>
public delegate IWorkloadMonitor MonitorFactory(TokenMonitorConfig config, MonitorPorts ports);
