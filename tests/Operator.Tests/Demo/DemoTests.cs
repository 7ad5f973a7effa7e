using System.Diagnostics;
using System.Text.RegularExpressions;

namespace RemoteWorkloadOperator.Tests.Demo;

/// <summary>Runs `make demo-once`'s program as a user would and checks what it narrates and leaves behind.</summary>
public sealed partial class DemoTests
{
    [Fact]
    public async Task Demo_narrates_the_lifecycle_in_order_and_leaves_no_process_behind()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var demo = RepositoryPaths.Combine("tools", "Operator.Demo", "bin", configuration, "net10.0", "Operator.Demo.dll");
        Assert.True(File.Exists(demo), $"demo not built at {demo}");
        var output = Directory.CreateTempSubdirectory("demo-test-").FullName;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { demo, "--once", "--out", output })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        var narration = await stdout;

        Assert.True(process.ExitCode == 0, $"demo exited {process.ExitCode}\n{narration}\n{await stderr}");
        Assert.Contains("DEMO OK", narration, StringComparison.Ordinal);
        var phases = PhaseLine().Matches(narration).Where(m => m.Groups["workload"].Value == "sourcegraph").Select(m => m.Groups["phase"].Value);
        Assert.Equal(["Running", "AuthRetrying", "Running", "Unauthenticated", "Running"], phases);
        Assert.Contains("kubectl get rw -w", narration, StringComparison.Ordinal);

        var operatorPid = int.Parse(OperatorPid().Match(narration).Groups["pid"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(IsRunning(operatorPid), $"operator process {operatorPid} is still running after the demo ended");
        Assert.True(File.Exists(Path.Combine(output, "operator.log")));
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"PHASE (?<workload>\S+) (?<phase>\S+) ")]
    private static partial Regex PhaseLine();

    [GeneratedRegex(@"OPERATOR_PID (?<pid>\d+)")]
    private static partial Regex OperatorPid();
}
