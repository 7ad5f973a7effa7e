namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>Waiting for a state of the cluster instead of sleeping: polls until it holds, fails naming it after the timeout.</summary>
internal static class Waiting
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"not reached in time: {what}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
