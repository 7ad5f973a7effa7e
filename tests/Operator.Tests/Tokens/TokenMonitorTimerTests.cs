using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>Timers never overflow, never run work early, and no trigger that arrives during a flight is dropped.</summary>
public sealed class TokenMonitorTimerTests
{
    [Fact]
    public async Task A_token_that_lives_for_decades_is_published_once_and_refreshed_on_schedule()
    {
        await using var h = new Harness();
        var forever = TimeSpan.FromSeconds(int.MaxValue);
        h.Client.Fallback = () => h.Client.Token(forever);
        h.Monitor.Start();

        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
        h.Step = TimeSpan.FromHours(1);
        h.Advance(TimeSpan.FromDays(3));

        Assert.Equal(1, h.Client.Count);
        Assert.Equal(WorkloadPhase.Running, h.LastUpdate.Status.Phase);
        Assert.True(h.LastUpdate.Status.Token.NextRefreshTime > Harness.Epoch + TimeSpan.FromDays(365));
    }

    [Fact]
    public async Task A_90_day_token_is_refreshed_after_72_days_by_re_armed_timers()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => h.Client.Token(TimeSpan.FromDays(90));
        h.Monitor.Start();
        h.Step = TimeSpan.FromHours(6);

        h.Advance(TimeSpan.FromDays(71));
        Assert.Equal(1, h.Client.Count);
        h.Advance(TimeSpan.FromDays(2));

        Assert.Equal(2, h.Client.Count);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task A_ceiling_beyond_the_timer_limit_gives_up_at_its_deadline()
    {
        var retry = RetryPolicy.Default with { Ceiling = TimeSpan.FromDays(60), TickInterval = TimeSpan.FromHours(24) };
        await using var h = new Harness(new MonitorTiming { StartupSpread = TimeSpan.Zero, Retry = retry });
        h.Client.Fallback = () => Failures.Transient();
        h.Monitor.Start();
        h.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(WorkloadPhase.AuthRetrying, h.Monitor.Phase);
        var deadline = h.LastUpdate.Status.AuthRetry!.Deadline;

        h.Step = TimeSpan.FromHours(1);
        h.AdvanceTo(deadline);

        Assert.Equal(WorkloadPhase.Unauthenticated, h.Monitor.Phase);
        Assert.Equal(Reasons.CeilingExceeded, h.LastUpdate.Status.Reason);
        Assert.Equal(deadline, h.Client.Times[^1]);
    }

    [Fact]
    public async Task A_timer_callback_that_arrives_early_does_not_run_the_work_early()
    {
        EarlyFiringClock? clock = null;
        await using var h = new Harness(monitorClock: fake => clock = new EarlyFiringClock(fake));
        h.Client.Fallback = () => h.Client.Token(TimeSpan.FromHours(1));
        h.Monitor.Start();
        h.Advance(TimeSpan.FromMinutes(1));

        clock!.FireAllEarly();

        Assert.Equal(1, h.Client.Count);
        h.AdvanceTo(Harness.Epoch + TimeSpan.FromMinutes(48));
        Assert.Equal(2, h.Client.Count);
    }

    [Fact]
    public async Task A_credentials_change_during_a_refresh_that_ends_in_invalid_grant_is_tried_after_it()
    {
        await using var h = new Harness();
        h.Client.Then(() => h.Client.Token(TimeSpan.FromHours(1))).Then(() => Failures.InvalidGrant()).Then(() => h.Client.Token(TimeSpan.FromHours(1)));
        h.Monitor.Start();
        h.Client.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.AdvanceTo(Harness.Epoch + TimeSpan.FromMinutes(48));
        Assert.Equal(2, h.Client.Count);

        // A person fixes the Secret while the refresh is in flight; the refresh then fails with the old token.
        h.Credentials.Version = "v2";
        h.Credentials.RefreshToken = "rt-fixed";
        h.Monitor.CredentialsChanged();
        h.Client.Gate.SetResult();
        await h.Monitor.WhenIdleAsync();

        Assert.Equal(3, h.Client.Count);
        Assert.Equal("rt-fixed", h.Client.Requests[2].RefreshToken);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task A_refresh_whose_short_retry_outlasts_the_token_leaves_Ready_when_the_token_expires()
    {
        await using var h = new Harness();
        h.Client.Then(() => h.Client.Token(TimeSpan.FromMinutes(5)));
        h.Client.Fallback = () => Failures.Transient();
        h.Monitor.Start();
        var expiry = Harness.Epoch + TimeSpan.FromMinutes(5);

        // Refresh at 4 min; the short retry (10, 20, 40 s …) would run 4.5 min, past the expiry at 5 min.
        h.AdvanceTo(expiry);

        Assert.Equal(WorkloadPhase.AuthRetrying, h.Monitor.Phase);
        Assert.Equal("False", h.Condition(h.LastUpdate.Status, ConditionTypes.Ready).Status);
        Assert.Equal(expiry, h.Client.Times[^1]);
    }
}
