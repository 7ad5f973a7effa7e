using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace RemoteWorkloadOperator.Tests.Demo;

/// <summary>The long-running demo started without a terminal, as a script or an IDE starts it, stops on SIGINT and SIGTERM.</summary>
public sealed class DemoSignalTests
{
    [Theory]
    [InlineData("TERM")]
    // A script's background job inherits SIGINT ignored; the demo must still stop on it.
    [InlineData("INT")]
    public async Task Demo_without_a_terminal_stops_itself_and_the_operator_on_the_signal(string signal)
    {
        var demo = DemoProgram.Dll();
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

            if (DemoProgram.OperatorPid(e.Data) is { } pid)
            {
                operatorPid.TrySetResult(pid);
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
            Assert.False(DemoProgram.IsRunning(pid), $"operator process {pid} is still running after the demo stopped on SIG{signal}");
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

}
