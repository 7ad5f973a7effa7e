using Microsoft.Extensions.Time.Testing;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// The monitor with the real token client against the OpenIddict test server. The monitor's clock is fake; the test
/// awaits the monitor's own idle signal (never a wall-clock sleep).
/// </summary>
public sealed class TokenMonitorEndToEndTests(AuthServerFixture fixture) : IClassFixture<AuthServerFixture>
{
    [Fact]
    public async Task Issues_refreshes_with_the_rotated_token_then_reports_a_real_revocation()
    {
        var ct = TestContext.Current.CancellationToken;
        var seeded = await fixture.SeededCredentials();
        var store = new InMemoryCredentialStore(seeded);
        var log = new List<string>();
        var ports = new RecordingPorts(log);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var config = fixture.Config(discovery: true) with { Timing = new MonitorTiming { StartupSpread = TimeSpan.Zero } };
        await using var monitor = new TokenMonitor(config, fixture.NewClient(), new TokenMonitorPorts(store, store, ports, ports), time, new FixedJitter());

        monitor.Start();
        await monitor.WhenIdleAsync().WaitAsync(ct);

        Assert.Equal(WorkloadPhase.Running, monitor.Phase);
        Assert.Single(ports.Published);
        Assert.NotEqual(seeded.RefreshToken, store.Current.RefreshToken);
        Assert.Equal(Reasons.TokenIssued, ports.Updates.Single().Event!.Reason);

        // The scheduled refresh presents the rotated token (the input one is spent: reuse would be invalid_grant).
        // (The client stamps tokens on the system clock, a few seconds after the fake clock's start.)
        time.Advance(TimeSpan.FromMinutes(50));
        await monitor.WhenIdleAsync().WaitAsync(ct);
        Assert.Equal(2, ports.Published.Count);
        Assert.Equal(StatusUpdateKind.TokenTimes, ports.Updates[^1].Kind);

        fixture.Server.RevokeRefreshTokens(AuthServerFixture.ConfidentialClient);
        monitor.RetryRequested();
        await monitor.WhenIdleAsync().WaitAsync(ct);

        var last = ports.Updates[^1];
        Assert.Equal(WorkloadPhase.Unauthenticated, last.Status.Phase);
        Assert.Equal(Reasons.CredentialsRejected, last.Status.Reason);
        Assert.Contains("invalid_grant", last.Status.Message, StringComparison.Ordinal);
        Assert.Contains("retry-requested-at", last.Event!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(store.Current.RefreshToken!, last.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outage_behind_a_real_503_goes_AuthRetrying_and_recovers_on_the_first_tick_after_the_IdP_returns()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new InMemoryCredentialStore(await fixture.SeededCredentials());
        var ports = new RecordingPorts([]);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);

        // maxElapsed 0: no short-retry waits, so every step below is one timer and one real request.
        var timing = new MonitorTiming { StartupSpread = TimeSpan.Zero, Retry = new RetryPolicy { MaxElapsed = TimeSpan.Zero } };
        var config = fixture.Config() with { Timing = timing };
        await using var monitor = new TokenMonitor(config, fixture.NewClient(), new TokenMonitorPorts(store, store, ports, ports), time, new FixedJitter());
        fixture.Server.ResetCounters();
        fixture.Server.RetryAfter = TimeSpan.FromSeconds(7);
        fixture.Server.SetFault(AuthServerFault.ServiceUnavailable503);
        try
        {
            monitor.Start();
            await monitor.WhenIdleAsync().WaitAsync(ct);
            Assert.Equal(WorkloadPhase.AuthRetrying, monitor.Phase);
            var entered = ports.Updates.Single();
            Assert.Contains("HTTP 503", entered.Status.AuthRetry!.LastError, StringComparison.Ordinal);
            Assert.Contains("Retry-After 7s", entered.Status.AuthRetry.LastError, StringComparison.Ordinal);

            for (var i = 0; i < 20; i++)
            {
                _ = monitor.Status; // answered from the cached failure: no request
            }

            Assert.Equal(1, fixture.Server.TokenRequestCount);

            time.Advance(TimeSpan.FromMinutes(10));
            await monitor.WhenIdleAsync().WaitAsync(ct);
            Assert.Equal(StatusUpdateKind.RetryProgress, ports.Updates[^1].Kind);
            Assert.Equal(2, fixture.Server.TokenRequestCount);

            fixture.Server.SetFault(AuthServerFault.None);
            time.Advance(TimeSpan.FromMinutes(10));
            await monitor.WhenIdleAsync().WaitAsync(ct);

            Assert.Equal(3, fixture.Server.TokenRequestCount);
            Assert.Equal(WorkloadPhase.Running, monitor.Phase);
            Assert.Equal(Reasons.Recovered, ports.Updates[^1].Event!.Reason);
            Assert.Single(ports.Published);
        }
        finally
        {
            fixture.Server.SetFault(AuthServerFault.None);
        }
    }

    /// <summary>A credentials source backed by the rotated-token sink, as the controller's Secret-backed one behaves.</summary>
    private sealed class InMemoryCredentialStore(MonitorCredentials initial) : ICredentialsSource, IRotatedRefreshTokenSink
    {
        public MonitorCredentials Current { get; private set; } = initial;

        public ValueTask<MonitorCredentials> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Current);

        public ValueTask StoreAsync(RotatedRefreshToken rotated, CancellationToken cancellationToken)
        {
            if (rotated.DescendsFrom == Current.Version)
            {
                Current = Current with { RefreshToken = rotated.RefreshToken };
            }

            return ValueTask.CompletedTask;
        }
    }
}
