using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Benchmarks;

/// <summary>A fleet of monitors that each got a 1 h token and now sit idle until their refresh time.</summary>
internal sealed class IdleFleet : IAsyncDisposable
{
    private readonly List<TokenMonitor> _monitors;

    private IdleFleet(List<TokenMonitor> monitors) => _monitors = monitors;

    public int Count => _monitors.Count;

    public static IdleFleet Start(int count, TimeProvider time)
    {
        var idp = new InstantIdp(time);
        var ports = new TokenMonitorPorts(NullPorts.Instance, NullPorts.Instance, NullPorts.Instance, NullPorts.Instance);
        var timing = new MonitorTiming { StartupSpread = TimeSpan.Zero };
        var monitors = new List<TokenMonitor>(count);
        for (var i = 0; i < count; i++)
        {
            var config = new TokenMonitorConfig
            {
                WorkloadKey = $"team-{i % 100}/workload-{i}",
                TokenEndpoint = new Uri("https://idp.example.com/oauth/token"),
                ClientId = "mcp-operator",
                Scopes = ["mcp:read"],
                Timing = timing,
            };
            var monitor = new TokenMonitor(config, idp, ports, time, RandomJitterSource.Instance);
            monitor.Start();
            monitors.Add(monitor);
        }

        return new IdleFleet(monitors);
    }

    public bool AllRunning() => _monitors.TrueForAll(m => m.Phase == WorkloadPhase.Running);

    public async ValueTask DisposeAsync()
    {
        foreach (var monitor in _monitors)
        {
            await monitor.StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>An IdP that answers at once with a 1 h token.</summary>
    private sealed class InstantIdp(TimeProvider time) : ITokenEndpointClient
    {
        public Task<TokenRequestResult> RequestTokenAsync(TokenMonitorConfig config, MonitorCredentials credentials, CancellationToken cancellationToken)
        {
            var now = time.GetUtcNow();
            return Task.FromResult(TokenRequestResult.Success(new TokenGrant("access", "Bearer", now, now.AddHours(1), "mcp:read", null)));
        }
    }

    private sealed class NullPorts : ICredentialsSource, IRotatedRefreshTokenSink, ITokenPublisher, IStatusSink
    {
        public static NullPorts Instance { get; } = new();

        private static readonly MonitorCredentials Credentials = new("v1", "secret", "refresh");

        public ValueTask<MonitorCredentials> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Credentials);

        public ValueTask StoreAsync(RotatedRefreshToken rotated, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask PublishAsync(PublishedToken token, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask WriteAsync(StatusUpdate update, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
