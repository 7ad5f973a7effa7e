using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

public sealed class RefreshTokenExpiryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void No_stated_lifetime_needs_no_verdict() =>
        Assert.Null(RefreshTokenExpiry.Assess(null, Now, Now.AddMinutes(4), null, null, false, Now));

    [Fact]
    public void A_short_lifetime_that_every_refresh_extends_is_fine()
    {
        var first = RefreshTokenExpiry.Assess(Now.AddMinutes(30), Now, Now.AddMinutes(4), null, null, false, Now)!;
        var later = RefreshTokenExpiry.Assess(Now.AddMinutes(34), Now.AddMinutes(4), Now.AddMinutes(8), Now.AddMinutes(30), Now, first.Expiring, Now.AddMinutes(4))!;

        Assert.False(first.Expiring);
        Assert.False(later.Expiring);
    }

    [Fact]
    public void An_end_the_last_refresh_did_not_extend_warns_within_the_lead()
    {
        var end = Now.AddHours(10);

        var assessment = RefreshTokenExpiry.Assess(end, Now.AddMinutes(4), Now.AddMinutes(8), end, Now, false, Now.AddMinutes(4))!;

        Assert.True(assessment.Expiring);
        Assert.Contains("2026-12-01T19:00:00Z", assessment.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unextended_end_far_beyond_the_lead_does_not_warn_yet()
    {
        var end = Now.AddDays(180);

        Assert.False(RefreshTokenExpiry.Assess(end, Now.AddHours(8), Now.AddHours(14), end, Now, false, Now.AddHours(8))!.Expiring);
    }

    [Fact]
    public void An_end_before_the_next_refresh_always_warns() =>
        Assert.True(RefreshTokenExpiry.Assess(Now.AddMinutes(3), Now, Now.AddMinutes(4), null, null, false, Now)!.Expiring);

    [Fact]
    public void A_write_without_a_refresh_keeps_the_previous_verdict()
    {
        var end = Now.AddHours(10);

        Assert.True(RefreshTokenExpiry.Assess(end, Now, Now.AddMinutes(4), end, Now, previousExpiring: true, Now.AddMinutes(1))!.Expiring);
        Assert.False(RefreshTokenExpiry.Assess(end, Now, Now.AddMinutes(4), end, Now, previousExpiring: false, Now.AddMinutes(1))!.Expiring);
    }

    [Fact]
    public void The_same_end_stated_again_with_a_second_of_latency_counts_as_not_extended()
    {
        var end = Now.AddHours(10);

        Assert.True(RefreshTokenExpiry.Assess(end.AddSeconds(1), Now.AddMinutes(4), Now.AddMinutes(8), end, Now, false, Now.AddMinutes(4))!.Expiring);
    }
}
