using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>Section 3 decisions as pure, table-tested functions.</summary>
public sealed class TokenScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private static readonly RetryPolicy Retry = RetryPolicy.Default;
    private static readonly RefreshPolicy Refresh = RefreshPolicy.Default;

    [Theory]
    [InlineData(3600, 2880)] // 1 h token: 48 min
    [InlineData(300, 240)] // 5 min token: 4 min
    [InlineData(20, 10)] // 20 s token: 10 s (never before half the lifetime)
    [InlineData(120, 60)] // 2 min token: max(60 s, 60 s)
    [InlineData(86400, 69120)] // 1 day: 0.8 wins over L - 60 s
    public void Refresh_ahead_of_expiry_without_jitter(int lifetimeSeconds, int expectedOffsetSeconds)
    {
        var next = TokenSchedule.NextRefresh(T0, T0.AddSeconds(lifetimeSeconds), T0, Refresh, Retry.TickInterval, u: 0.5);
        Assert.Equal(T0.AddSeconds(expectedOffsetSeconds), next);
    }

    [Theory]
    [InlineData(0.0, 2880 - 288)]
    [InlineData(0.999999, 2880 + 288)]
    public void Refresh_jitter_is_ten_percent_of_the_remaining_time(double u, int expectedOffsetSeconds)
    {
        var next = TokenSchedule.NextRefresh(T0, T0.AddHours(1), T0, Refresh, Retry.TickInterval, u);
        Assert.Equal(T0.AddSeconds(expectedOffsetSeconds), next, TimeSpan.FromMilliseconds(5));
    }

    [Fact]
    public void Refresh_is_never_past_expiry_minus_5s_nor_sooner_than_1s()
    {
        // 8 s token, jitter up: planned 4 s + 0.4 s, capped at expiry - 5 s = 3 s.
        Assert.Equal(T0.AddSeconds(3), TokenSchedule.NextRefresh(T0, T0.AddSeconds(8), T0, Refresh, Retry.TickInterval, 0.999999));

        // Already past the planned time (late resume): not sooner than 1 s from now.
        var now = T0.AddMinutes(59);
        Assert.Equal(now.AddSeconds(1), TokenSchedule.NextRefresh(T0, T0.AddHours(1), now, Refresh, Retry.TickInterval, 0.5));

        // Expired token: 1 s from now.
        Assert.Equal(now.AddSeconds(1), TokenSchedule.NextRefresh(T0, T0.AddMinutes(1), now, Refresh, Retry.TickInterval, 0.5));
    }

    [Theory]
    [InlineData(1, 10)] // a 1 s token: refreshed 10 s after issue, not every second
    [InlineData(5, 10)]
    [InlineData(15, 10)] // 15 s: half the lifetime (7.5 s) is raised to the floor
    [InlineData(20, 10)] // 20 s: the usual rule already gives 10 s
    [InlineData(300, 240)] // the floor does not touch longer tokens
    public void Refresh_is_never_sooner_than_the_minimum_refresh_interval_after_issue(int lifetimeSeconds, int expectedOffsetSeconds)
    {
        var next = TokenSchedule.NextRefresh(T0, T0.AddSeconds(lifetimeSeconds), T0, Refresh, Retry.TickInterval, u: 0.5, minimumInterval: TimeSpan.FromSeconds(10));

        Assert.Equal(T0.AddSeconds(expectedOffsetSeconds), next);
    }

    [Theory]
    [InlineData(3600, 0.5, 2880)] // 1 h: 48 min, far from expiry − 90 s
    [InlineData(300, 0.5, 210)] // 5 min: expiry − 90 s (3.5 min) comes before 4 min
    [InlineData(300, 1.0, 210)] // jitter cannot push it past expiry − 90 s
    [InlineData(120, 0.5, 60)] // 2 min: expiry − 90 s would be before half the lifetime; half it is
    [InlineData(600, 0.5, 480)] // 10 min: 8 min already leaves 2 min
    public void Refresh_leaves_consumers_the_propagation_delay_but_never_comes_before_half_the_lifetime(int lifetimeSeconds, double u, int expectedOffsetSeconds)
    {
        var next = TokenSchedule.NextRefresh(T0, T0.AddSeconds(lifetimeSeconds), T0, Refresh, Retry.TickInterval, u, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(90));

        Assert.Equal(T0.AddSeconds(expectedOffsetSeconds), next);
    }

    [Theory]
    [InlineData(3.0, 3.0)]
    [InlineData(9.5, 9.5)]
    [InlineData(10.0, null)]
    [InlineData(3600.0, null)]
    public void A_lifetime_is_short_exactly_when_it_is_below_the_minimum_refresh_interval(double lifetimeSeconds, double? expectedSeconds)
    {
        Assert.Equal(
            expectedSeconds is { } e ? TimeSpan.FromSeconds(e) : null,
            TokenSchedule.ShortLifetime(T0, T0.AddSeconds(lifetimeSeconds), TimeSpan.FromSeconds(10)));
        Assert.Null(TokenSchedule.ShortLifetime(T0, null, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Token_without_expiry_uses_the_tick_interval_as_lifetime()
    {
        var next = TokenSchedule.NextRefresh(T0, null, T0, Refresh, TimeSpan.FromMinutes(10), 0.5);
        Assert.Equal(T0.AddMinutes(8), next);
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 40)]
    [InlineData(4, 80)]
    [InlineData(5, 120)] // capped at maxInterval
    public void Short_retry_backs_off_exponentially_and_caps(int failures, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), TokenSchedule.ShortRetryDelay(failures, TimeSpan.Zero, null, Retry, 0.5));
    }

    [Theory]
    [InlineData(0.0, 5)]
    [InlineData(0.999999, 15)]
    public void Short_retry_jitter_is_plus_minus_fifty_percent(double u, double expectedSeconds)
    {
        var delay = TokenSchedule.ShortRetryDelay(1, TimeSpan.Zero, null, Retry, u)!.Value;
        Assert.Equal(expectedSeconds, delay.TotalSeconds, 0.001);
    }

    [Fact]
    public void Short_retry_stops_after_max_attempts_and_before_max_elapsed()
    {
        Assert.Null(TokenSchedule.ShortRetryDelay(6, TimeSpan.Zero, null, Retry, 0.5));
        Assert.Null(TokenSchedule.ShortRetryDelay(5, TimeSpan.FromSeconds(181), null, Retry, 0.5));
        Assert.NotNull(TokenSchedule.ShortRetryDelay(5, TimeSpan.FromSeconds(180), null, Retry, 0.5));
        Assert.Equal(TimeSpan.FromMinutes(2), TokenSchedule.ShortRetryDelay(30, TimeSpan.Zero, null, Retry with { MaxAttempts = 40, MaxElapsed = TimeSpan.FromDays(1) }, 0.999));
    }

    [Fact]
    public void Retry_after_is_a_floor_capped_at_the_tick()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), TokenSchedule.ShortRetryDelay(1, TimeSpan.Zero, TimeSpan.FromSeconds(60), Retry, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(10), TokenSchedule.ShortRetryDelay(1, TimeSpan.Zero, TimeSpan.FromSeconds(3), Retry, 0.5));
        Assert.Equal(TimeSpan.FromMinutes(10), TokenSchedule.ApplyRetryAfter(TimeSpan.FromSeconds(1), TimeSpan.FromHours(5), TimeSpan.FromMinutes(10)));
        // A Retry-After beyond maxElapsed ends the short retry (AuthRetrying then honours it).
        Assert.Null(TokenSchedule.ShortRetryDelay(1, TimeSpan.Zero, TimeSpan.FromMinutes(6), Retry, 0.5));
    }

    public static TheoryData<string, double, int?, int?, double> TickTable => new()
    {
        // name, u, retryAfterSeconds, tokenExpiresInSeconds, expected minutes from now
        { "plain tick", 0.5, null, null, 10 },
        { "jitter low", 0.0, null, null, 9 },
        { "jitter high", 0.999999, null, null, 11 },
        { "retry-after floor", 0.0, 570, null, 9.5 },
        { "retry-after capped at tick", 0.5, 7200, null, 10 },
        { "valid token: 30 s before expiry", 0.5, null, 300, 4.5 },
        { "token expiring too soon: tick", 0.5, null, 20, 10 },
        { "token later than tick: tick", 0.5, null, 3600, 10 },
    };

    [Theory]
    [MemberData(nameof(TickTable))]
    public void Next_tick(string name, double u, int? retryAfterSeconds, int? expiresInSeconds, double expectedMinutes)
    {
        var deadline = T0.AddHours(24);
        var next = TokenSchedule.NextTick(
            T0,
            deadline,
            TimeSpan.FromMinutes(10),
            retryAfterSeconds is { } ra ? TimeSpan.FromSeconds(ra) : null,
            expiresInSeconds is { } e ? T0.AddSeconds(e) : null,
            TimeSpan.FromSeconds(30),
            u);
        Assert.True(Math.Abs((next - T0).TotalMinutes - expectedMinutes) < 0.001, $"{name}: {(next - T0).TotalMinutes} min");
    }

    public static TheoryData<string, double, int?, int?, double> FirstTickTable => new()
    {
        { "u = 0: at once", 0.0, null, null, 0 },
        { "u = 0.25: a quarter tick", 0.25, null, null, 2.5 },
        { "u = 0.5: half a tick", 0.5, null, null, 5 },
        { "u = 0.99: almost a tick", 0.99, null, null, 9.9 },
        { "retry-after is the floor, u = 0", 0.0, 420, null, 7 },
        { "retry-after: a whole tick above it, u = 0.5", 0.5, 420, null, 12 },
        { "retry-after: a whole tick above it, u = 0.99", 0.99, 420, null, 16.9 },
        { "retry-after past the tick: the tick is the floor", 0.5, 7200, null, 15 },
        { "valid token: 30 s before expiry", 0.9, null, 300, 4.5 },
    };

    [Theory]
    [MemberData(nameof(FirstTickTable))]
    public void First_tick_is_anywhere_in_the_tick(string name, double u, int? retryAfterSeconds, int? expiresInSeconds, double expectedMinutes)
    {
        var next = TokenSchedule.FirstTick(
            T0,
            T0.AddHours(24),
            TimeSpan.FromMinutes(10),
            retryAfterSeconds is { } ra ? TimeSpan.FromSeconds(ra) : null,
            expiresInSeconds is { } e ? T0.AddSeconds(e) : null,
            TimeSpan.FromSeconds(30),
            u);
        Assert.True(Math.Abs((next - T0).TotalMinutes - expectedMinutes) < 0.001, $"{name}: {(next - T0).TotalMinutes} min");
    }

    [Fact]
    public void A_fleet_entering_together_spreads_over_the_whole_tick_on_its_first_tick_and_stays_spread()
    {
        var tick = TimeSpan.FromMinutes(10);
        var samples = Enumerable.Range(0, 100).Select(i => (i + 0.5) / 100).ToList();

        var first = samples.Select(u => TokenSchedule.FirstTick(T0, T0.AddHours(24), tick, null, null, TimeSpan.FromSeconds(30), u) - T0).ToList();
        var later = samples.Select(u => TokenSchedule.NextTick(T0, T0.AddHours(24), tick, null, null, TimeSpan.FromSeconds(30), u) - T0).ToList();

        // Ten one-minute bins of the first tick hold ten workloads each; the later ticks stay within ±10 % of the tick.
        Assert.All(Enumerable.Range(0, 10), bin => Assert.Equal(10, first.Count(d => (int)d.TotalMinutes == bin)));
        Assert.All(later, d => Assert.InRange(d, tick * 0.9, tick * 1.1));
    }

    [Fact]
    public void A_fleet_told_to_retry_after_most_of_a_tick_still_spreads_its_first_tick_over_a_whole_tick()
    {
        var tick = TimeSpan.FromSeconds(10);
        var retryAfter = TimeSpan.FromSeconds(7);
        var samples = Enumerable.Range(0, 100).Select(i => (i + 0.5) / 100).ToList();

        var first = samples.Select(u => TokenSchedule.FirstTick(T0, T0.AddHours(24), tick, retryAfter, null, TimeSpan.FromSeconds(30), u) - T0).ToList();

        // None before the Retry-After; the ten one-second bins above it (7 s … 17 s) hold ten workloads each, so the
        // fleet's later ±10 % ticks start from an even spread, not from a band of 3 s in every 10.
        Assert.All(first, d => Assert.True(d >= retryAfter, $"{d} is before the Retry-After"));
        Assert.All(Enumerable.Range(7, 10), second => Assert.Equal(10, first.Count(d => (int)d.TotalSeconds == second)));
    }

    [Fact]
    public void First_tick_past_the_deadline_is_moved_to_the_deadline()
    {
        var deadline = T0.AddMinutes(4);
        Assert.Equal(deadline, TokenSchedule.FirstTick(T0, deadline, TimeSpan.FromMinutes(10), null, null, TimeSpan.FromSeconds(30), 0.9));
    }

    [Fact]
    public void Tick_past_the_deadline_is_moved_to_the_deadline()
    {
        var deadline = T0.AddMinutes(4);
        Assert.Equal(deadline, TokenSchedule.NextTick(T0, deadline, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(8), null, TimeSpan.FromSeconds(30), 0.9));
        Assert.Equal(T0, TokenSchedule.NextTick(T0, T0.AddMinutes(-1), TimeSpan.FromMinutes(10), null, null, TimeSpan.FromSeconds(30), 0.5));
    }

    [Theory]
    [InlineData(0.0, 3600)] // no jitter: exactly one interval
    [InlineData(0.5, 3780)] // +5 %
    [InlineData(1.0, 3960)] // at most +10 %: the jitter never brings a probe closer than one interval
    public void A_probe_waits_one_interval_lengthened_by_up_to_ten_percent(double u, double expectedSeconds)
    {
        Assert.Equal(T0.AddSeconds(expectedSeconds), TokenSchedule.NextProbe(T0, TimeSpan.FromHours(1), u));
    }

    public static TheoryData<string, double, int, double, double> PacedStartTable => new()
    {
        // row, u, next free slot (s from now), expected slot, expected next free (s from now); spread 5 s, interval 0.1 s
        { "nothing due lately: the spread slot", 0.5, -60, 2.5, 0.1 },
        { "the spread slot is later than the free one", 0.5, 1, 2.5, 1.1 },
        { "the free slot is later than the spread slot", 0.5, 30, 30, 30.1 },
        { "u = 0 with nothing due: at once", 0.0, 0, 0, 0.1 },
    };

    [Theory]
    [MemberData(nameof(PacedStartTable))]
    public void A_paced_start_takes_the_later_of_its_spread_slot_and_the_next_free_slot(string row, double u, int nextFreeIn, double expectedSlot, double expectedNextFree)
    {
        var (slot, nextFree) = TokenSchedule.PacedStart(T0, TimeSpan.FromSeconds(5), u, T0.AddSeconds(nextFreeIn), TimeSpan.FromSeconds(0.1));

        Assert.True(T0.AddSeconds(expectedSlot) == slot, $"{row}: slot {slot:O}");
        Assert.Equal(T0.AddSeconds(expectedNextFree), nextFree);
    }

    [Fact]
    public void Five_thousand_starts_due_at_once_spread_over_due_over_rate_not_over_the_constant_spread()
    {
        var pacer = new StartupPacer(20);
        var slots = Enumerable.Range(0, 5000).Select(i => pacer.Slot(T0, TimeSpan.FromSeconds(5), (i + 0.5) / 5000) - T0).ToList();

        // 5,000 at 20 per second: the window is 250 s, not 5 s, and no second gets more than twice the rate.
        Assert.InRange(slots.Max(), TimeSpan.FromSeconds(249), TimeSpan.FromSeconds(250));
        Assert.All(slots.GroupBy(s => (int)s.TotalSeconds), second => Assert.True(second.Count() <= 40, $"{second.Count()} starts in second {second.Key}"));
    }

    [Fact]
    public void A_few_starts_due_at_once_keep_the_ordinary_spread()
    {
        var pacer = new StartupPacer(20);
        var slots = Enumerable.Range(0, 10).Select(i => pacer.Slot(T0, TimeSpan.FromSeconds(5), (i + 0.5) / 10) - T0).ToList();

        Assert.Equal(Enumerable.Range(0, 10).Select(i => TimeSpan.FromSeconds(5 * (i + 0.5) / 10)), slots);
    }

    [Fact]
    public void Startup_delay_is_spread_over_the_window()
    {
        Assert.Equal(TimeSpan.Zero, TokenSchedule.StartupDelay(TimeSpan.FromSeconds(5), 0));
        Assert.Equal(TimeSpan.FromSeconds(2.5), TokenSchedule.StartupDelay(TimeSpan.FromSeconds(5), 0.5));
        Assert.Equal(TimeSpan.Zero, TokenSchedule.StartupDelay(TimeSpan.Zero, 0.7));
    }
}
