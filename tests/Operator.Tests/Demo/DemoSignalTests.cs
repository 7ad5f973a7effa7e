using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RemoteWorkloadOperator.Tests.Demo;

/// <summary>The long-running demo started without a terminal, as a script or an IDE starts it, stops on SIGINT and SIGTERM.</summary>
public sealed partial class DemoSignalTests
{
    [Theory]
    [InlineData("TERM")]
    // A script's background job inherits SIGINT ignored; the demo must still stop on it.
    [InlineData("INT")]
    public async Task Demo_without_a_terminal_stops_itself_and_the_operator_on_the_signal(string signal)
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var demo = RepositoryPaths.Combine("tools", "Operator.Demo", "bin", configuration, "net10.0", "Operator.Demo.dll");
        Assert.True(File.Exists(demo), $"demo not built at {demo}");
        var output = Directory.CreateTempSubdirectory("demo-signal-test-").FullName;
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"trap '' INT; exec dotnet '{demo}' --out '{output}'");
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var narration = new StringBuilder();
        var operatorPid = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (narration)
            {
                narration.AppendLine(e.Data);
            }

            if (e.Data is not null && OperatorPid().Match(e.Data) is { Success: true } match)
            {
                operatorPid.TrySetResult(int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture));
            }
        };
        process.BeginOutputReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            var pid = await operatorPid.Task.WaitAsync(timeout.Token);

            using (var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(timeout.Token);
            }

            using var exit = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            exit.CancelAfter(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(exit.Token);
            Assert.False(IsRunning(pid), $"operator process {pid} is still running after the demo stopped on SIG{signal}");
            lock (narration)
            {
                Assert.Contains("stopping the operator, the IdP and the control plane", narration.ToString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
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

    [GeneratedRegex(@"OPERATOR_PID (?<pid>\d+)")]
    private static partial Regex OperatorPid();
}
