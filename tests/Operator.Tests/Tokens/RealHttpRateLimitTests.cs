using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Tests.Scenarios;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// The process-wide per-host rate limit, counted at a real loopback server: the limiter's windows run on a fake clock,
/// so what arrives in each window is exact and nothing here depends on how fast the machine is.
/// </summary>
public sealed class RealHttpRateLimitTests : IAsyncLifetime
{
    private const int PerSecond = 5;

    private readonly FakeTimeProvider _windows = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly List<TimeSpan> _waits = [];
    private IdpRateLimiter _limiter = null!;
    private ServiceProvider _services = null!;
    private LoopbackHttpServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await LoopbackHttpServer.StartAsync(_ => FixtureResponse.Json(200, new { access_token = "at", token_type = "Bearer", expires_in = 60 }), Ct);
        _limiter = new IdpRateLimiter(PerSecond, _windows);
        _limiter.Waited = (_, waited) =>
        {
            lock (_waits)
            {
                _waits.Add(waited);
            }
        };
        _services = new ServiceCollection().AddSingleton(_limiter).AddTokenEngine().BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task Requests_over_the_per_host_limit_wait_for_the_next_window_and_the_wait_is_reported()
    {
        var requests = Enumerable.Range(0, 12).Select(_ => RequestAsync("127.0.0.1")).ToList();

        await ArrivedAsync(5, queued: 7);
        _windows.Advance(TimeSpan.FromSeconds(1));
        await ArrivedAsync(10, queued: 2);
        _windows.Advance(TimeSpan.FromSeconds(1));
        var results = await Task.WhenAll(requests);

        Assert.Equal(12, _server.Requests.Count);
        Assert.All(results, r => Assert.NotNull(r.Grant));
        lock (_waits)
        {
            // Measured on the limiter's clock: five waited one window, two waited two.
            Assert.Equal([.. Enumerable.Repeat(TimeSpan.FromSeconds(1), 5), .. Enumerable.Repeat(TimeSpan.FromSeconds(2), 2)], _waits.Order());
        }
    }

    [Fact]
    public async Task Each_host_has_its_own_budget()
    {
        var requests = Enumerable.Range(0, PerSecond).Select(_ => RequestAsync("127.0.0.1"))
            .Concat(Enumerable.Range(0, PerSecond).Select(_ => RequestAsync("localhost")))
            .ToList();

        var results = await Task.WhenAll(requests);

        Assert.Equal(2 * PerSecond, _server.Requests.Count);
        Assert.All(results, r => Assert.NotNull(r.Grant));
        Assert.Empty(_waits);
    }

    [Fact]
    public async Task A_request_still_waiting_for_its_turn_when_its_monitor_stops_is_never_sent()
    {
        var first = Enumerable.Range(0, PerSecond).Select(_ => RequestAsync("127.0.0.1")).ToList();
        using var stop = new CancellationTokenSource();
        var stopped = RequestStoppableAsync(stop.Token);
        await ArrivedAsync(PerSecond, queued: 1);

        // The window has not opened: only the stop can end the wait (the bound turns a hang into a failure).
        await stop.CancelAsync();
        var result = await stopped.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        _windows.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(first);

        Assert.Null(result.Grant);
        Assert.Equal(0, _limiter.Queued("127.0.0.1"));
        Assert.Equal(PerSecond, _server.Requests.Count);
    }

    [Fact]
    public async Task A_host_idle_for_a_whole_window_is_forgotten_so_tenant_chosen_hosts_do_not_accumulate()
    {
        using var limiter = new IdpRateLimiter(PerSecond, _windows);
        foreach (var host in Enumerable.Range(0, 100).Select(i => $"idp-{i}.example"))
        {
            await limiter.AcquireAsync(host, Ct);
        }

        Assert.Equal(100, limiter.Hosts);
        _windows.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(100, limiter.Hosts);
        _windows.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, limiter.Hosts);
    }

    // As a monitor sends: its stop cancels pre-send waits only (PreSendWaits), the request runs on its own token.
    private async Task<TokenRequestResult> RequestStoppableAsync(CancellationToken stop)
    {
        PreSendWaits.CancelledBy(stop);
        try
        {
            return await RequestAsync("127.0.0.1");
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return new TokenRequestResult(null, null);
        }
    }

    // Waits (polling, not timing) until the server has seen exactly `count` requests and the rest wait in the limiter;
    // since no window opens without the fake clock, the count cannot run ahead while this is checked.
    private async Task ArrivedAsync(int count, int queued)
    {
        await Waiting.UntilAsync(() => Task.FromResult(_server.Requests.Count >= count && _limiter.Queued("127.0.0.1") == queued), $"{count} requests arrived and {queued} queued", TimeSpan.FromSeconds(20), Ct);
        Assert.Equal(count, _server.Requests.Count);
    }

    private Task<TokenRequestResult> RequestAsync(string host) =>
        new TokenEndpointClient(_services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System, new TokenClientOptions { RequestTimeout = TimeSpan.FromSeconds(30) })
            .RequestTokenAsync(
                new TokenMonitorConfig
                {
                    WorkloadKey = "team-a/rate-" + host,
                    TokenEndpoint = new Uri($"http://{host}:{_server.Port}/token"),
                    Grant = GrantType.ClientCredentials,
                    ClientId = "client",
                },
                new MonitorCredentials("v1", "secret-value", null),
                Ct);
}
