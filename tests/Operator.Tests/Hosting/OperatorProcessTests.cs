using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RemoteWorkloadOperator.Tests.Scenarios;

namespace RemoteWorkloadOperator.Tests.Hosting;

/// <summary>The operator binary as a process: configuration errors stop it naming the setting; a good start serves health and metrics.</summary>
public sealed class OperatorProcessTests(EmulatorEnvironment environment) : IClassFixture<EmulatorEnvironment>
{
    private static readonly string OperatorDll = Path.Combine(AppContext.BaseDirectory, "remoteworkload-operator.dll");

    [Theory]
    [InlineData("RW_RETRY_INITIAL_INTERVAL", "ten seconds")]
    [InlineData("RW_RETRY_MAX_INTERVAL", "0")]
    [InlineData("RW_RETRY_MAX_ATTEMPTS", "-3")]
    [InlineData("RW_RETRY_MAX_ELAPSED", "5")]
    [InlineData("RW_AUTH_RETRYING_TICK_INTERVAL", "1s")]
    [InlineData("RW_AUTH_RETRYING_CEILING", "forever")]
    public async Task A_bad_environment_variable_stops_start_up_naming_it(string variable, string value)
    {
        var (exitCode, _, stderr) = await RunToExitAsync(["--leader-elect=false"], new() { [variable] = value });

        Assert.Equal(2, exitCode);
        Assert.Contains($"invalid configuration: {variable}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_good_start_serves_healthz_readyz_and_metrics()
    {
        var port = FreePort();
        var kubeconfig = await environment.Cluster.WriteServiceAccountKubeconfigAsync("remoteworkload-system", "remoteworkload-operator", TestContext.Current.CancellationToken);
        using var process = Start(["--kubeconfig", kubeconfig, "--leader-elect=false", $"--health-addr=127.0.0.1:{port}", "--log-format=json"], []);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var ready = await PollAsync(http, "/readyz");
            Assert.Equal(HttpStatusCode.OK, ready);
            Assert.Equal("ok", await http.GetStringAsync("/healthz", TestContext.Current.CancellationToken));
            var metrics = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
            Assert.Contains("remoteworkload_leader 1", metrics, StringComparison.Ordinal);
            Assert.Contains("process_working_set_bytes", metrics, StringComparison.Ordinal);
            Assert.Contains("process_cpu_seconds_total", metrics, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    private static async Task<HttpStatusCode?> PollAsync(HttpClient http, string path)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        HttpStatusCode? last = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
                last = response.StatusCode;
                if (last == HttpStatusCode.OK)
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        return last;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process Start(string[] args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(OperatorDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(string[] args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(OperatorDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
