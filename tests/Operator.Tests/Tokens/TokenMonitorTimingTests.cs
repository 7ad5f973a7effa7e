using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;
using static RemoteWorkloadOperator.Tests.Tokens.TokenMonitorTransitionTests;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>Section 3 timing rules through the monitor, on a fake clock.</summary>
public sealed class TokenMonitorTimingTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Tick = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task A_token_of_a_few_seconds_is_refreshed_once_per_minimum_refresh_interval_not_every_second()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => h.Client.Token(S(3));
        h.Monitor.Start();

        h.Advance(TimeSpan.FromMinutes(1));

        // The default minimum refresh interval is 10 s: at 0, 10, 20 … 60 s, never each second.
        Assert.Equal(7, h.Client.Count);
        Assert.All(h.Client.Times.Zip(h.Client.Times.Skip(1)), pair => Assert.Equal(S(10), pair.Second - pair.First));
        Assert.True(h.Updates.Count <= 7, $"{h.Updates.Count} status writes in a minute");
    }

    [Fact]
    public async Task A_five_minute_token_is_refreshed_ninety_seconds_before_expiry_so_a_mounted_Secret_reaches_pods_in_time()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => h.Client.Token(TimeSpan.FromMinutes(5));
        h.Monitor.Start();

        // 0.8 of 5 min (4 min) would leave the kubelet 60 s to bring the new token to a pod; its sync can take longer.
        Assert.Equal(Harness.Epoch + S(210), h.LastUpdate.Status.Token.NextRefreshTime);
        h.AdvanceTo(Harness.Epoch + S(210));
        Assert.Equal([Harness.Epoch, Harness.Epoch + S(210)], h.Client.Times);
    }

    [Fact]
    public async Task Monitors_resumed_with_overdue_refreshes_start_them_at_the_startup_rate_not_all_within_the_spread()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Harness.Epoch);
        var client = new ScriptedTokenClient(time) { Fallback = () => TokenRequestResult.Success(new TokenGrant("at", "Bearer", time.GetUtcNow(), time.GetUtcNow() + Hour, null, null)) };
        var ports = new RecordingPorts([]);
        var config = new TokenMonitorConfig
        {
            WorkloadKey = "team-a/w",
            TokenEndpoint = new Uri("https://idp.example.com/oauth/token"),
            Timing = new MonitorTiming { StartupSpread = S(5), StartupPacer = new StartupPacer(10) },
        };
        var overdue = new MonitorStatus { Phase = WorkloadPhase.Running, Reason = Reasons.TokenIssued, Message = "m", Token = new TokenTimes(Harness.Epoch - S(1), Harness.Epoch - Hour, null) };
        var jitter = new EvenJitter(200);
        var monitors = Enumerable.Range(0, 100).Select(_ => new TokenMonitor(config, client, new TokenMonitorPorts(new FakeCredentials(), ports, ports, ports), time, jitter)).ToList();

        // An operator outage longer than the tokens' lifetime: every refresh is due when the monitors resume.
        monitors.ForEach(m => m.Start(overdue));
        for (var i = 0; i < 12; i++)
        {
            time.Advance(S(1));
        }

        var seconds = client.Times.Select(t => (int)(t - Harness.Epoch).TotalSeconds).ToList();
        Assert.Equal(100, seconds.Count);
        Assert.True(seconds.Max() >= 9, $"all 100 started within {seconds.Max()} s: 100 due at 10 per second take 10 s");
        Assert.All(seconds.GroupBy(s => s), second => Assert.True(second.Count() <= 20, $"{second.Count()} requests in second {second.Key}"));
        foreach (var monitor in monitors)
        {
            await monitor.DisposeAsync();
        }
    }

    /// <summary>Samples spread evenly over [0, 1), in turn, as a fleet's random jitter would be.</summary>
    private sealed class EvenJitter(int samples) : IJitterSource
    {
        private int _next;

        public double NextDouble() => ((Interlocked.Increment(ref _next) - 1) % samples + 0.5) / samples;
    }

    [Fact]
    public async Task Restart_in_AuthRetrying_keeps_startedAt_and_deadline_and_waits_for_nextAttemptTime()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => Failures.Transient();
        var startedAt = h.Now - TimeSpan.FromHours(23);
        var deadline = startedAt + TimeSpan.FromHours(24);
        var nextAttempt = h.Now + TimeSpan.FromMinutes(5);

        h.StartFrom(new RemoteWorkloadStatus
        {
            Phase = WorkloadPhase.AuthRetrying,
            AuthRetry = new AuthRetryStatus { StartedAt = startedAt.UtcDateTime, Deadline = deadline.UtcDateTime, NextAttemptTime = nextAttempt.UtcDateTime, Attempts = 138 },
        });

        h.AdvanceTo(nextAttempt - S(1));
        Assert.Equal(0, h.Client.Count);
        Assert.Empty(h.Updates);
        h.AdvanceTo(nextAttempt);
        Assert.Equal(nextAttempt, Assert.Single(h.Client.Times));
        var retry = h.LastUpdate.Status.AuthRetry!;
        Assert.Equal(StatusUpdateKind.RetryProgress, h.LastUpdate.Kind);
        Assert.Equal(startedAt, retry.StartedAt);
        Assert.Equal(deadline, retry.Deadline);
        Assert.Equal(139, retry.Attempts);
        Assert.Equal(startedAt.UtcDateTime, h.Condition(h.LastUpdate.Status, ConditionTypes.AuthRetrying).LastTransitionTime);

        // The ceiling is not reset by the restart: give-up at the persisted deadline.
        h.AdvanceTo(deadline);
        Assert.Equal(WorkloadPhase.Unauthenticated, h.Monitor.Phase);
        Assert.Equal(Reasons.CeilingExceeded, h.LastUpdate.Status.Reason);
        Assert.Equal(deadline, h.Client.Times[^1]);
    }

    [Fact]
    public async Task Restart_in_AuthRetrying_past_nextAttemptTime_attempts_within_the_startup_spread()
    {
        await using var h = new Harness(new MonitorTiming { StartupSpread = S(5) }, jitter: 0.5);
        h.Client.Fallback = () => h.Client.Token(Hour);

        h.StartFrom(new RemoteWorkloadStatus
        {
            Phase = WorkloadPhase.AuthRetrying,
            AuthRetry = new AuthRetryStatus { StartedAt = (h.Now - Hour).UtcDateTime, Deadline = (h.Now + Hour).UtcDateTime, NextAttemptTime = (h.Now - TimeSpan.FromMinutes(3)).UtcDateTime },
        });
        Assert.Equal(0, h.Client.Count);
        h.Advance(S(2.5));

        Assert.Equal(Harness.Epoch + S(2.5), Assert.Single(h.Client.Times));
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
        Assert.Equal(Reasons.Recovered, h.LastUpdate.Event!.Reason);
    }

    [Fact]
    public async Task Restart_after_the_deadline_gives_up_on_the_first_failed_attempt()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => Failures.Transient();
        h.StartFrom(new RemoteWorkloadStatus
        {
            Phase = WorkloadPhase.AuthRetrying,
            AuthRetry = new AuthRetryStatus { StartedAt = (h.Now - TimeSpan.FromHours(25)).UtcDateTime, Deadline = (h.Now - Hour).UtcDateTime, NextAttemptTime = (h.Now - Hour).UtcDateTime },
        });

        Assert.Equal(1, h.Client.Count);
        Assert.Equal(WorkloadPhase.Unauthenticated, h.Monitor.Phase);
        Assert.Equal(Reasons.CeilingExceeded, h.LastUpdate.Status.Reason);
    }

    [Fact]
    public async Task Restart_in_Running_with_a_valid_token_waits_for_its_refresh_time()
    {
        await using var h = new Harness(new MonitorTiming { StartupSpread = S(5) });
        h.Client.Fallback = () => h.Client.Token(Hour);
        var nextRefresh = h.Now + TimeSpan.FromMinutes(20);

        h.StartFrom(new RemoteWorkloadStatus
        {
            Phase = WorkloadPhase.Running,
            Token = new TokenStatus { ExpiresAt = (h.Now + TimeSpan.FromMinutes(32)).UtcDateTime, LastRefreshTime = (h.Now - TimeSpan.FromMinutes(28)).UtcDateTime, NextRefreshTime = nextRefresh.UtcDateTime },
        });

        h.AdvanceTo(nextRefresh - S(1));
        Assert.Equal(0, h.Client.Count);
        h.AdvanceTo(nextRefresh);
        Assert.Equal(nextRefresh, Assert.Single(h.Client.Times));
        Assert.Equal(StatusUpdateKind.TokenTimes, Assert.Single(h.Updates).Kind);
    }

    [Fact]
    public async Task Restart_in_Running_with_an_expired_token_refreshes_within_the_spread()
    {
        await using var h = new Harness(new MonitorTiming { StartupSpread = S(4) }, jitter: 0.25);
        h.Client.Fallback = () => h.Client.Token(Hour);

        h.StartFrom(new RemoteWorkloadStatus { Phase = WorkloadPhase.Running, Token = new TokenStatus { ExpiresAt = (h.Now - S(1)).UtcDateTime, LastRefreshTime = (h.Now - Hour).UtcDateTime } });
        h.Advance(S(1));

        Assert.Equal(Harness.Epoch + S(1), Assert.Single(h.Client.Times));
    }

    [Fact]
    public void Restart_spreads_start_up_attempts_over_the_window()
    {
        var starts = new List<DateTimeOffset>();
        for (var i = 0; i < 10; i++)
        {
            var h = new Harness(new MonitorTiming { StartupSpread = S(5) }, jitter: i / 10.0) { Step = TimeSpan.FromMilliseconds(100) };
            h.Client.Fallback = () => h.Client.Token(Hour);
            h.Monitor.Start();
            h.Advance(S(5));
            starts.Add(Assert.Single(h.Client.Times));
            Assert.Equal(Harness.Epoch + (S(5) * (i / 10.0)), starts[^1], TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(10, starts.Distinct().Count());
        Assert.All(starts, s => Assert.InRange(s, Harness.Epoch, Harness.Epoch + S(5)));
    }

    [Fact]
    public async Task Retry_after_is_respected_by_the_short_retry()
    {
        await using var h = new Harness();
        h.Client.Then(() => Failures.RateLimited(S(45))).Then(() => h.Client.Token(Hour));
        h.Monitor.Start();

        h.Advance(S(44));
        Assert.Equal(1, h.Client.Count);
        h.Advance(S(1));
        Assert.Equal(2, h.Client.Count);
        Assert.Equal(Harness.Epoch + S(45), h.Client.Times[1]);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task Retry_after_is_respected_in_AuthRetrying_and_capped_at_the_tick()
    {
        await using var h = await InAuthRetrying(new MonitorTiming { StartupSpread = TimeSpan.Zero });
        h.Jitter.Value = 0; // tick would be 9 m
        h.Client.Fallback = () => Failures.RateLimited(TimeSpan.FromMinutes(9.5));
        var next = h.LastUpdate.Status.AuthRetry!.NextAttemptTime!.Value;
        h.AdvanceTo(next);
        Assert.Equal(next + TimeSpan.FromMinutes(9.5), h.LastUpdate.Status.AuthRetry!.NextAttemptTime);

        h.Client.Fallback = () => Failures.RateLimited(TimeSpan.FromHours(3));
        h.AdvanceTo(h.LastUpdate.Status.AuthRetry.NextAttemptTime!.Value);
        Assert.Equal(h.Now + Tick, h.LastUpdate.Status.AuthRetry!.NextAttemptTime);
    }

    [Fact]
    public async Task AuthRetrying_ticks_are_jittered_so_workloads_do_not_retry_in_lockstep()
    {
        var nexts = new List<DateTimeOffset>();
        foreach (var u in new[] { 0.0, 0.3, 0.7, 0.99 })
        {
            await using var h = await InAuthRetrying();
            h.Jitter.Value = u;
            h.AdvanceTo(h.LastUpdate.Status.AuthRetry!.NextAttemptTime!.Value);
            var gap = h.LastUpdate.Status.AuthRetry!.NextAttemptTime!.Value - h.Now;
            Assert.InRange(gap, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));
            nexts.Add(h.LastUpdate.Status.AuthRetry.NextAttemptTime.Value);
        }

        Assert.Equal(4, nexts.Distinct().Count());
    }

    [Fact]
    public async Task While_the_token_is_valid_AuthRetrying_attempts_30s_before_it_expires()
    {
        await using var h = new Harness();
        h.Client.Then(() => h.Client.Token(TimeSpan.FromMinutes(30)));
        h.Client.Fallback = () => Failures.Transient();
        h.Monitor.Start();
        var expiry = Harness.Epoch + TimeSpan.FromMinutes(30);

        h.AdvanceTo(Harness.Epoch + TimeSpan.FromMinutes(24) + S(270));
        Assert.Equal(WorkloadPhase.AuthRetrying, h.Monitor.Phase);
        // Entered at 09:28:30; tick would be 09:38:30; the token expires 09:30:00.
        Assert.Equal(expiry - S(30), h.LastUpdate.Status.AuthRetry!.NextAttemptTime);

        h.Client.Fallback = () => h.Client.Token(Hour);
        h.AdvanceTo(expiry - S(30));
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task Token_without_expiry_is_revalidated_every_tick_interval_and_monitoring_never_stops()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => h.Client.Token(null);
        h.Monitor.Start();
        Assert.Null(h.LastUpdate.Status.Token.ExpiresAt);
        Assert.Equal(Harness.Epoch + TimeSpan.FromMinutes(8), h.LastUpdate.Status.Token.NextRefreshTime);

        h.Advance(TimeSpan.FromMinutes(80));

        Assert.Equal(11, h.Client.Count);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task Short_lived_tokens_do_not_refresh_in_a_loop()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => h.Client.Token(S(20));
        h.Monitor.Start();

        h.Advance(TimeSpan.FromMinutes(1));

        // 20 s tokens refresh at half-life: every 10 s, 6 refreshes + the first token.
        Assert.Equal(7, h.Client.Count);
    }

    [Fact]
    public async Task A_timer_that_comes_due_while_a_status_write_is_slow_still_runs()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => h.Client.Token(S(20));
        h.Ports.StatusGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Monitor.Start();
        Assert.Equal(1, h.Client.Count);

        h.Advance(S(15)); // the refresh (due at +10 s) comes due while the first write still hangs
        Assert.Equal(1, h.Client.Count);
        h.Ports.StatusGate.SetResult();
        await h.Monitor.WhenIdleAsync();

        Assert.Equal(2, h.Client.Count);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }
}
