using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>Adapts the engine's <see cref="TokenMonitor"/> to what the controller drives.</summary>
public sealed class TokenMonitorAdapter(TokenMonitor monitor) : IWorkloadMonitor
{
    public MonitorStatus Status => monitor.Status;

    public void Start(MonitorResumeState state, DateTimeOffset? refreshTokenFence) => monitor.Start(state, refreshTokenFence);

    public void CredentialsChanged() => monitor.CredentialsChanged();

    public void RetryRequested() => monitor.RetryRequested();

    // The engine answers a reconcile from its cached state; nothing is sent to the IdP.
    public void Nudge() => monitor.Reconcile();

    public Task StopAsync() => monitor.StopAsync();

    /// <summary>The production factory: one engine monitor per workload, sharing one token client.</summary>
    public static MonitorFactory Factory(ITokenEndpointClient tokenClient, TimeProvider time, IJitterSource jitter, Microsoft.Extensions.Logging.ILogger logger) =>
        (config, ports) => new TokenMonitorAdapter(new TokenMonitor(
            config,
            new TokenMonitorPorts(tokenClient, ports.Credentials, ports.RotatedTokens, ports.Publisher, ports.Status),
            time,
            jitter,
            ScopedFor(logger, config.WorkloadKey)));

    private static Microsoft.Extensions.Logging.ILogger ScopedFor(Microsoft.Extensions.Logging.ILogger logger, string workloadKey)
    {
        var slash = workloadKey.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? logger : new Observability.WorkloadScopedLogger(logger, workloadKey[..slash], workloadKey[(slash + 1)..]);
    }
}
