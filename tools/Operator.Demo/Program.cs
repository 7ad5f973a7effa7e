using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Demo;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;
using RemoteWorkloadOperator.Testing.ControlPlane;
using RemoteWorkloadOperator.Testing.PodRunner;

// `make demo` / `make demo-once`: the whole lifecycle on an embedded control plane and IdP, narrated.
var once = args.Contains("--once");
var repository = Repository.Root();
var outDirectory = Path.GetFullPath(Option(args, "--out") ?? Path.Combine(repository, "demo-out"));
var operatorDll = Option(args, "--operator-dll") ?? Repository.OperatorDll(repository);
Directory.CreateDirectory(outDirectory);

var chart = args.Contains("--chart");
var operatorImage = Option(args, "--operator-image");

using var stop = new CancellationTokenSource();
// SIGINT and SIGTERM both end the demo and everything it started, with or without a terminal: a
// process started in the background by a script inherits SIGINT ignored, which Console.CancelKeyPress
// respects, and SIGTERM's default would exit without stopping the operator.
InheritedSignals.RestoreDefaultInterrupt();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

var narrator = new Narrator(Console.Out);
if (!File.Exists(operatorDll))
{
    Console.Error.WriteLine($"demo: operator not built at {operatorDll}; run `make build` first (make demo does)");
    return 2;
}

narrator.Step("Starting the local control plane (an in-process Kubernetes API emulator on 127.0.0.1)");
await using var controlPlane = await LocalControlPlane.StartAsync(new LocalControlPlaneOptions { KubeconfigPath = Path.Combine(outDirectory, "kubeconfig") });
using var admin = controlPlane.CreateAdminClient();
if (!chart)
{
    await controlPlane.ApplyDirectoryAsync(Path.Combine(repository, "config", "crd"));
    await controlPlane.ApplyDirectoryAsync(Path.Combine(repository, "config", "rbac"));
    narrator.Say($"installed config/crd and config/rbac; admin kubeconfig: {controlPlane.KubeconfigPath}");
}
else
{
    narrator.Say($"admin kubeconfig: {controlPlane.KubeconfigPath}");
}

narrator.Say($"watch along in another terminal:  KUBECONFIG={controlPlane.KubeconfigPath} kubectl get rw -w");

narrator.Step("Starting the test authorization server (OpenIddict) with a fault switch");
await using var idp = await TestAuthorizationServer.StartAsync(new AuthServerOptions { EnableTls = false, AccessTokenLifetime = TimeSpan.FromMinutes(10) });
idp.RegisterClient("mcp-operator", "demo-client-secret");
idp.RegisterClient("billing-agent", "demo-billing-secret");
narrator.Say($"issuer {idp.Issuer}  token endpoint {idp.TokenEndpoint}");

var environment = new Dictionary<string, string>
{
    ["RW_RETRY_INITIAL_INTERVAL"] = "1s",
    ["RW_RETRY_MAX_INTERVAL"] = "1s",
    ["RW_RETRY_MAX_ATTEMPTS"] = "2",
    ["RW_RETRY_MAX_ELAPSED"] = "3s",
    ["RW_AUTH_RETRYING_TICK_INTERVAL"] = "10s",
    ["RW_AUTH_RETRYING_CEILING"] = "5m",
    ["DOTNET_NOLOGO"] = "1",
};
OperatorProcess? operatorProcess = null;
DeploymentPodRunner? podRunner = null;
var healthPort = 0;
if (chart)
{
    healthPort = ChartInstall.FreePort();
    var image = operatorImage ?? "remoteworkload-operator:0.1.0";
    narrator.Step("Installing the operator with Helm (charts/remoteworkload-operator) and starting its pod with the test pod runner");
    podRunner = DeploymentPodRunner.Start(controlPlane, new PodRunnerOptions
    {
        UsePodman = operatorImage is not null,
        // Without podman the pod is the operator built from source, run with the template's args and env.
        LocalEntrypoint = _ => ["dotnet", operatorDll],
        WorkDirectory = Path.Combine(outDirectory, "pods"),
    });
    podRunner.Changed += message => narrator.Say(message);
    var retry = new Dictionary<string, string>
    {
        ["initialInterval"] = "1s",
        ["maxInterval"] = "1s",
        ["maxAttempts"] = "2",
        ["maxElapsed"] = "3s",
        ["tickInterval"] = "10s",
        ["ceiling"] = "5m",
    };
    await ChartInstall.InstallAsync(repository, controlPlane.KubeconfigPath, Path.Combine(outDirectory, "helm"), image, healthPort, retry, stop.Token);
    narrator.Say($"helm upgrade --install {ChartInstall.Release} --namespace {ChartInstall.Namespace} (image {image}, {(operatorImage is not null ? "podman" : "local process")})");
    await WaitForReadyDeploymentAsync(admin, stop.Token);
    var pod = podRunner.Pods.Values.Single();
    narrator.Say($"Deployment {ChartInstall.Namespace}/{ChartInstall.Release} ready: 1/1; pod log {pod.LogPath}");
    narrator.Say($"OPERATOR_PID {pod.ProcessId}");
}
else
{
    narrator.Step("Starting the operator as its own process, as its ServiceAccount (config/rbac permissions only)");
    var operatorKubeconfig = await controlPlane.WriteServiceAccountKubeconfigAsync("remoteworkload-system", "remoteworkload-operator");
    operatorProcess = OperatorProcess.Start(operatorDll, operatorKubeconfig, Path.Combine(outDirectory, "operator.log"), environment, logFormat: "console");
    narrator.Say($"operator pid {operatorProcess.ProcessId}, log {operatorProcess.LogPath}; short durations: retry 1s x2, tick 10s, ceiling 5m");
    narrator.Say($"OPERATOR_PID {operatorProcess.ProcessId}");
}

var watcher = new PhaseWatcher(admin, narrator);
var exitCode = 0;
try
{
    narrator.Step("Applying config/samples, pointed at the local IdP, with 10s ticks and a 5m ceiling");
    // The sample asks for scope mcp:read, so the refresh token must have been granted it.
    var refreshToken = await idp.IssueRefreshTokenAsync("mcp-operator", "demo-client-secret", ["mcp:read"], stop.Token);
    foreach (var sample in Directory.GetFiles(Path.Combine(repository, "config", "samples"), "*.yaml").Order(StringComparer.Ordinal))
    {
        var yaml = (await File.ReadAllTextAsync(sample, stop.Token))
            .Replace("https://idp.example.com/oauth/token", idp.TokenEndpoint.ToString(), StringComparison.Ordinal)
            .Replace("https://idp.example.com", idp.Issuer.ToString().TrimEnd('/'), StringComparison.Ordinal)
            .Replace("replace-with-a-refresh-token", refreshToken, StringComparison.Ordinal)
            .Replace("issuer: " + idp.Issuer.ToString().TrimEnd('/'), "issuer: " + idp.Issuer, StringComparison.Ordinal)
            // The sample's own retry settings (10m ticks, 24h ceiling) would make a long demo.
            .Replace("tickInterval: 10m", "tickInterval: 10s", StringComparison.Ordinal)
            .Replace("ceiling: 24h", "ceiling: 5m", StringComparison.Ordinal);
        yaml = yaml.Contains("billing", StringComparison.Ordinal)
            ? yaml.Replace("replace-with-the-client-secret", "demo-billing-secret", StringComparison.Ordinal)
            : yaml.Replace("replace-with-the-client-secret", "demo-client-secret", StringComparison.Ordinal);
        await controlPlane.ApplyYamlAsync(yaml, "default", stop.Token);
        narrator.Say($"applied {Path.GetFileName(sample)}");
    }

    await watcher.WaitForAsync("default", "sourcegraph", WorkloadPhase.Running, TimeSpan.FromSeconds(30), stop.Token);
    await watcher.WaitForAsync("default", "billing-api", WorkloadPhase.Running, TimeSpan.FromSeconds(30), stop.Token);
    var token = await admin.CoreV1.ReadNamespacedSecretAsync("sourcegraph-token", "default", cancellationToken: stop.Token);
    narrator.Say($"Secret sourcegraph-token holds keys [{string.Join(", ", token.Data.Keys.Order(StringComparer.Ordinal))}] for consumers to mount");
    await Kubectl.ShowAsync(narrator, controlPlane.KubeconfigPath, ["get", "rw", "-o", "wide"], stop.Token);
    if (chart && !await OperatorEndpoints.CheckAsync(narrator, healthPort, stop.Token))
    {
        narrator.Say("UNEXPECTED: the operator's health or metrics endpoint did not answer 200");
        exitCode = 1;
    }

    narrator.Step("The IdP starts answering like a WAF: HTTP 403 with an HTML page and no error code (transient)");
    idp.SetFault(AuthServerFault.WafHtml403);
    await Annotate(admin, "sourcegraph", "waf-block", stop.Token);
    narrator.Say("requested one attempt now (workloads.dev/retry-requested-at); the short retry fails, then:");
    var retrying = await watcher.WaitForAsync("default", "sourcegraph", WorkloadPhase.AuthRetrying, TimeSpan.FromSeconds(30), stop.Token);
    narrator.Say($"retrying since {retrying.Status?.AuthRetry?.StartedAt:u}, deadline {retrying.Status?.AuthRetry?.Deadline:u} (ceiling 5m), one attempt every 10s");
    narrator.Say($"last error: {retrying.Status?.AuthRetry?.LastError}");
    await Kubectl.ShowAsync(narrator, controlPlane.KubeconfigPath, ["get", "rw"], stop.Token);

    narrator.Step("The WAF lets requests through again: the next tick recovers");
    idp.SetFault(AuthServerFault.None);
    await watcher.WaitForAsync("default", "sourcegraph", WorkloadPhase.Running, TimeSpan.FromSeconds(30), stop.Token);

    narrator.Step("The IdP revokes the refresh token: invalid_grant is permanent, no retry loop");
    idp.RevokeRefreshTokens("mcp-operator");
    await Annotate(admin, "sourcegraph", "after-revoke", stop.Token);
    var rejected = await watcher.WaitForAsync("default", "sourcegraph", WorkloadPhase.Unauthenticated, TimeSpan.FromSeconds(30), stop.Token);
    narrator.Say($"{rejected.Status?.Reason}: {rejected.Status?.Message}");

    narrator.Step("A person puts a new refresh token into the credentials Secret: the operator picks it up by itself");
    var fresh = await idp.IssueRefreshTokenAsync("mcp-operator", "demo-client-secret", ["mcp:read"], stop.Token);
    var patch = $"{{\"data\":{{\"refresh_token\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(fresh))}\"}}}}";
    await admin.CoreV1.PatchNamespacedSecretAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "idp-creds", "default", cancellationToken: stop.Token);
    await watcher.WaitForAsync("default", "sourcegraph", WorkloadPhase.Running, TimeSpan.FromSeconds(30), stop.Token);
    await Kubectl.ShowAsync(narrator, controlPlane.KubeconfigPath, ["get", "rw", "-o", "wide"], stop.Token);

    var expected = new[] { WorkloadPhase.Running, WorkloadPhase.AuthRetrying, WorkloadPhase.Running, WorkloadPhase.Unauthenticated, WorkloadPhase.Running };
    var seen = watcher.Seen.Where(s => s.Workload == "sourcegraph").Select(s => s.Phase).ToList();
    if (exitCode != 0)
    {
        narrator.Say("DEMO FAILED");
    }
    else if (!IsSubsequence(expected, seen))
    {
        narrator.Say($"UNEXPECTED phase order: {string.Join(" -> ", seen)}");
        exitCode = 1;
    }
    else
    {
        narrator.Step($"Lifecycle complete: {string.Join(" -> ", expected)}");
        narrator.Say("DEMO OK");
    }

    if (!once)
    {
        narrator.Say($"Everything keeps running. KUBECONFIG={controlPlane.KubeconfigPath} kubectl get rw -w");
        narrator.Say("Press Ctrl-C to stop every process the demo started.");
        await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
catch (Exception e) when (e is TimeoutException or OperationCanceledException)
{
    Console.Error.WriteLine($"demo: {e.Message}");
    Console.Error.WriteLine($"demo: operator log: {operatorProcess?.LogPath ?? podRunner?.Pods.Values.FirstOrDefault()?.LogPath}");
    exitCode = stop.IsCancellationRequested && !once ? 0 : 1;
}
catch (InvalidOperationException e) when (chart)
{
    Console.Error.WriteLine($"demo: {e.Message}");
    exitCode = 1;
}

narrator.Say("stopping the operator, the IdP and the control plane");
if (operatorProcess is not null)
{
    await operatorProcess.DisposeAsync();
}

if (podRunner is not null)
{
    await podRunner.DisposeAsync();
}

return exitCode;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

static async Task WaitForReadyDeploymentAsync(IKubernetes client, CancellationToken cancellationToken)
{
    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    timeout.CancelAfter(TimeSpan.FromSeconds(60));
    while (true)
    {
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(ChartInstall.Release, ChartInstall.Namespace, cancellationToken: timeout.Token);
        if (deployment.Status?.ReadyReplicas >= 1)
        {
            return;
        }

        try
        {
            await Task.Delay(500, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Deployment {ChartInstall.Namespace}/{ChartInstall.Release} was not ready within 60s");
        }
    }
}

static string? Option(string[] args, string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static async Task Annotate(IKubernetes client, string name, string value, CancellationToken cancellationToken)
{
    var patch = $"{{\"metadata\":{{\"annotations\":{{\"{WorkloadAnnotations.RetryRequestedAt}\":\"{value}\"}}}}}}";
    await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), WorkloadApi.Group, WorkloadApi.Version, "default", WorkloadApi.Plural, name, cancellationToken: cancellationToken);
}

static bool IsSubsequence(IReadOnlyList<WorkloadPhase> expected, IReadOnlyList<WorkloadPhase> seen)
{
    var i = 0;
    foreach (var phase in seen)
    {
        if (i < expected.Count && phase == expected[i])
        {
            i++;
        }
    }

    return i == expected.Count;
}
