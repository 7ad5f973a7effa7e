using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Observability;
using RemoteWorkloadOperator.Tests.Chaos;

namespace RemoteWorkloadOperator.Tests.Observability;

public sealed class WorkloadScopedLoggerTests
{
    [Fact]
    public void Every_entry_carries_the_workload_namespace_and_name_as_a_scope()
    {
        using var capture = new CapturedLogs();
        using var factory = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Debug));
        var logger = new WorkloadScopedLogger(factory.CreateLogger("Tokens"), "team-a", "sourcegraph");

        logger.LogWarning("token request failed");

        var line = Assert.Single(capture.Lines);
        Assert.Contains("Namespace", line, StringComparison.Ordinal);
        Assert.Contains("team-a", line, StringComparison.Ordinal);
        Assert.Contains("sourcegraph", line, StringComparison.Ordinal);
        Assert.Contains("token request failed", line, StringComparison.Ordinal);
    }
}
