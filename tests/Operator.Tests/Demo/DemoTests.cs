using System.Diagnostics;
using System.Text.RegularExpressions;

namespace RemoteWorkloadOperator.Tests.Demo;

/// <summary>Runs `make demo-once`'s program as a user would and checks what it narrates and leaves behind.</summary>
public sealed partial class DemoTests
{
    [Fact]
    public async Task Demo_narrates_the_lifecycle_in_order_and_leaves_no_process_behind()
    {
        var demo = DemoProgram.Dll();
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

        var operatorPid = DemoProgram.OperatorPid(narration) ?? throw new InvalidOperationException("the demo did not name its operator process");
        Assert.False(DemoProgram.IsRunning(operatorPid), $"operator process {operatorPid} is still running after the demo ended");
        Assert.True(File.Exists(Path.Combine(output, "operator.log")));
    }


    [GeneratedRegex(@"PHASE (?<workload>\S+) (?<phase>\S+) ")]
    private static partial Regex PhaseLine();
}
