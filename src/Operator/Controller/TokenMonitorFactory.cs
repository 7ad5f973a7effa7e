using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Observability;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>Creates the engine's monitor for one workload: every monitor shares the token client, clock, jitter and logger.</summary>
public sealed class TokenMonitorFactory(ITokenEndpointClient tokenClient, TimeProvider time, IJitterSource jitter, ILogger logger)
{
    /// <summary>A new, not yet started monitor for <paramref name="config"/>, wired to <paramref name="ports"/>.</summary>
    public TokenMonitor Create(TokenMonitorConfig config, TokenMonitorPorts ports)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new TokenMonitor(config, tokenClient, ports, time, jitter, ScopedFor(config.WorkloadKey));
    }

    private ILogger ScopedFor(string workloadKey)
    {
        var slash = workloadKey.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? logger : new WorkloadScopedLogger(logger, workloadKey[..slash], workloadKey[(slash + 1)..]);
    }
}
