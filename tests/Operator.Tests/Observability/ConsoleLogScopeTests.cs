using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using RemoteWorkloadOperator.Observability;

namespace RemoteWorkloadOperator.Tests.Observability;

public sealed class ConsoleLogScopeTests
{
    [Fact]
    public void Console_format_prints_the_workload_scope_as_namespace_slash_name()
    {
        using var capture = new ConsoleFormatterCapture(ConsoleFormatterNames.Simple);
        var logger = new WorkloadScopedLogger(capture.CreateLogger("RemoteWorkloadOperator.Tokens"), "team-a", "sourcegraph");

        logger.LogWarning("token request failed");

        Assert.Contains("=> team-a/sourcegraph", capture.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("KeyValuePair", capture.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_monitor_logging_inside_a_reconcile_of_its_workload_prints_the_scope_once()
    {
        using var capture = new ConsoleFormatterCapture(ConsoleFormatterNames.Simple);
        var reconcileLogger = capture.CreateLogger("RemoteWorkloadOperator.Runtime");
        var monitorLogger = new WorkloadScopedLogger(capture.CreateLogger("RemoteWorkloadOperator.Tokens"), "team-a", "sourcegraph");

        using (WorkloadLogScope.Begin(reconcileLogger, new WorkloadLogScope("team-a", "sourcegraph")))
        {
            monitorLogger.LogWarning("token request failed");
        }

        Assert.Single(System.Text.RegularExpressions.Regex.Matches(capture.Output, "team-a/sourcegraph"));
    }

    [Fact]
    public void Json_format_keeps_the_workload_scope_as_namespace_and_name_properties()
    {
        using var capture = new ConsoleFormatterCapture(ConsoleFormatterNames.Json);
        var logger = new WorkloadScopedLogger(capture.CreateLogger("RemoteWorkloadOperator.Tokens"), "team-a", "sourcegraph");

        logger.LogWarning("token request failed");

        using var line = JsonDocument.Parse(capture.Output);
        var scope = Assert.Single(line.RootElement.GetProperty("Scopes").EnumerateArray());
        Assert.Equal("team-a", scope.GetProperty("Namespace").GetString());
        Assert.Equal("sourcegraph", scope.GetProperty("Name").GetString());
    }
}
