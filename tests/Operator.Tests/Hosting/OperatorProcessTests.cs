using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RemoteWorkloadOperator.Tests.Scenarios;
using RemoteWorkloadOperator.Tests.Support;

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

    [Fact]
    public async Task A_SIGTERM_during_a_held_token_reply_waits_for_it_and_persists_the_rotation_before_exit()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await environment.NewNamespaceAsync("sigterm", cancel);
        await environment.CreateCredentialsAsync(idp, ns, "creds", cancel);
        var kubeconfig = await environment.Cluster.WriteServiceAccountKubeconfigAsync("remoteworkload-system", "remoteworkload-operator", cancel);
        using var process = Start(["--kubeconfig", kubeconfig, "--leader-elect=false", $"--health-addr=127.0.0.1:{FreePort()}", "--allow-insecure-endpoints", "--allow-private-endpoints", "--watch-namespaces", ns], []);
        try
        {
            await Workloads.CreateAsync(environment.Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), cancel);
            await Workloads.WaitForPhaseAsync(environment.Admin, ns, "w", Entities.WorkloadPhase.Running, TimeSpan.FromSeconds(30), cancel);
            var hold = idp.HoldNextReply();
            await Workloads.AnnotateRetryAsync(environment.Admin, ns, "w", "refresh-now", cancel);
            await hold.Processed.WaitAsync(TimeSpan.FromSeconds(20), cancel);

            // The IdP has rotated the refresh token; its answer is still on the way when the pod is told to stop.
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(cancel);
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancel);
            Assert.False(process.HasExited, "the operator exited before its sent token request finished");
            hold.Release();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        // The next operator refreshes with the rotation the stopped one persisted.
        await using var next = await ScenarioOperator.StartAsync(environment.OperatorConfiguration, ns, "after-sigterm", cancellationToken: cancel);
        await Workloads.RequestAttemptAsync(environment.Admin, ns, "w", idp, "after-sigterm", cancel);
        var refreshed = await Workloads.WaitAsync(environment.Admin, ns, "w", w => w.Status?.LastHandledRetryRequest?.StartsWith("after-sigterm", StringComparison.Ordinal) == true && w.Status.Token?.LastRefreshTime > DateTime.UtcNow.AddSeconds(-10), TimeSpan.FromSeconds(20), cancel);
        Assert.Equal(Entities.WorkloadPhase.Running, refreshed.Status!.Phase);
        Assert.Equal(0, idp.ReusedRefreshTokens);
        Assert.Equal(0, idp.InvalidGrants);
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
        var result = await DotnetRun.ToExitAsync(OperatorDll, args, TimeSpan.FromSeconds(60), environment.ToDictionary(e => e.Key, string? (e) => e.Value));
        return (result.ExitCode, result.Stdout, result.Stderr);
    }
}
