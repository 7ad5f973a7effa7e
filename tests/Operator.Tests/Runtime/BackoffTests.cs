using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Tests.Runtime;

public sealed class BackoffTests
{
    public static TheoryData<string, int, double, double, double> Waits => new()
    {
        // row, failures, jitter, sample, expected seconds (first 1 s, cap 30 s)
        { "first failure waits the first wait", 1, 0, 0.5, 1 },
        { "each failure doubles it", 4, 0, 0.5, 8 },
        { "the cap holds however long it fails", 40, 0, 0.5, 30 },
        { "a low sample waits less by the jitter", 2, 0.2, 0, 1.6 },
        { "a high sample waits more by the jitter", 2, 0.2, 1, 2.4 },
        { "jitter spreads the capped wait too", 10, 0.5, 0, 15 },
        { "a zeroth failure counts as the first", 0, 0, 0.5, 1 },
    };

    [Theory]
    [MemberData(nameof(Waits))]
    public void The_wait_doubles_per_failure_up_to_the_cap_and_spreads_by_the_jitter(string row, int failures, double jitter, double sample, double expectedSeconds)
    {
        var wait = Backoff.Delay(failures, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), jitter, sample);

        Assert.True(Math.Abs(wait.TotalSeconds - expectedSeconds) < 1e-9, $"{row}: {wait.TotalSeconds}s");
    }
}
