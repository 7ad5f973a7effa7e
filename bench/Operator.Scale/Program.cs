using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Scale;
using RemoteWorkloadOperator.Testing.AuthServer;
using RemoteWorkloadOperator.Testing.ControlPlane;

// `make bench` / `make bench-quick`: the real operator process at scale, under an IdP outage, and killed mid-outage.
var n = int.Parse(Option(args, "--n") ?? "1000", CultureInfo.InvariantCulture);
var rate = double.Parse(Option(args, "--rate") ?? "100", CultureInfo.InvariantCulture);
var idleSeconds = int.Parse(Option(args, "--idle-seconds") ?? "60", CultureInfo.InvariantCulture);
var outageHoldSeconds = int.Parse(Option(args, "--outage-seconds") ?? "30", CultureInfo.InvariantCulture);
var restartObserveSeconds = int.Parse(Option(args, "--restart-observe-seconds") ?? "30", CultureInfo.InvariantCulture);
var restartSpread = TimeSpan.FromSeconds(int.Parse(Option(args, "--restart-spread-seconds") ?? "10", CultureInfo.InvariantCulture));
var perNamespace = int.Parse(Option(args, "--per-namespace") ?? "1000", CultureInfo.InvariantCulture);
var scenario = Option(args, "--scenario") ?? "all";
var repository = Root();
var outDirectory = Path.GetFullPath(Option(args, "--out") ?? Path.Combine(repository, "bench", "Operator.Scale", "bin", "results"));
var operatorDll = Option(args, "--operator-dll") ?? Path.Combine(repository, "src", "Operator", "bin", "Release", "net10.0", "remoteworkload-operator.dll");
var runOutage = scenario is "outage" or "all";
var runRestart = scenario is "restart" or "all";
// One outage for both measures (the spread of the ticks over the hold, then kill -9 and the restart): at 10,000 the
// fleet takes minutes to reach AuthRetrying on this emulator, so a second outage does not fit the time budget.
var runOutageThenRestart = scenario is "outage-restart";
if (scenario is not ("scale" or "outage" or "restart" or "all" or "outage-restart"))
{
    Console.Error.WriteLine("--scenario must be scale, outage, restart, all or outage-restart");
    return 2;
}

if (!File.Exists(operatorDll))
{
    Console.Error.WriteLine($"bench: operator not built at {operatorDll}; build bench/Operator.Scale in Release first (make bench does)");
    return 2;
}

var runDirectory = Path.Combine(outDirectory, $"n{n}-{DateTime.UtcNow:yyyyMMdd'T'HHmmss}");
Directory.CreateDirectory(runDirectory);
var results = new JsonObject
{
    ["n"] = n,
    ["rate"] = rate,
    ["scenario"] = scenario,
    ["startedAt"] = DateTimeOffset.UtcNow.ToString("u"),
    ["machine"] = Machine(),
};
var wall = Stopwatch.StartNew();
void Say(string text) => Console.WriteLine($"[{wall.Elapsed.TotalSeconds,7:F1}s] {text}");

const string TickInterval = "10s";
var environment = new Dictionary<string, string>
{
    ["RW_RETRY_INITIAL_INTERVAL"] = "1s",
    ["RW_RETRY_MAX_INTERVAL"] = "1s",
    ["RW_RETRY_MAX_ATTEMPTS"] = "2",
    ["RW_RETRY_MAX_ELAPSED"] = "3s",
    ["RW_AUTH_RETRYING_TICK_INTERVAL"] = TickInterval,
    ["RW_AUTH_RETRYING_CEILING"] = "30m",
    ["DOTNET_NOLOGO"] = "1",
};
// Extra variables for the operator process, e.g. --operator-env DOTNET_gcServer=0 (repeatable).
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--operator-env" && args[i + 1].Split('=', 2) is [var key, var value])
    {
        environment[key] = value;
    }
}

results["operatorEnvironment"] = JsonSerializer.SerializeToNode(environment);

Say($"N={n} rate={rate}/s scenario={scenario} out={runDirectory}");
await using var controlPlane = await LocalControlPlane.StartAsync(new LocalControlPlaneOptions { WorkDirectory = Path.Combine(runDirectory, "control-plane"), HistoryLimit = Math.Max(10_000, n * 20) });
using var admin = controlPlane.CreateAdminClient();
await controlPlane.ApplyDirectoryAsync(Path.Combine(repository, "config", "crd"));
await controlPlane.ApplyDirectoryAsync(Path.Combine(repository, "config", "rbac"));
var operatorKubeconfig = await controlPlane.WriteServiceAccountKubeconfigAsync("remoteworkload-system", "remoteworkload-operator");
await using var idp = await TestAuthorizationServer.StartAsync(new AuthServerOptions { EnableTls = false, AccessTokenLifetime = TimeSpan.FromHours(1) });
idp.RegisterClient("bench-client", "bench-secret");
using var recorder = new StoreRecorder(controlPlane);
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
long harnessRequests = 0;

var namespaces = Enumerable.Range(0, Math.Max(1, (n + perNamespace - 1) / perNamespace)).Select(i => $"bench-{i:D2}").ToList();
foreach (var ns in namespaces)
{
    await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
    await admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "bench-client" }, StringData = new Dictionary<string, string> { ["client_secret"] = "bench-secret" } }, ns);
    harnessRequests += 2;
}

var names = Enumerable.Range(0, n).Select(i => (Namespace: namespaces[i / perNamespace], Name: $"w-{i:D5}")).ToList();
var operatorLog = Path.Combine(runDirectory, "operator.log");
var op = OperatorProcess.Start(operatorDll, operatorKubeconfig, operatorLog, environment);
try
{
    await op.WaitForMetricsAsync(http, TimeSpan.FromSeconds(60));
    Say($"operator pid {op.ProcessId}, /metrics on {op.MetricsUri}, log {operatorLog}");
    results["operatorStartupRssMiB"] = Mib(op.RssBytes());

    // ---------------- 1. Scale ----------------
    var scale = new JsonObject();
    results["scale"] = scale;
    var idpBefore = idp.TokenRequestCount;
    var sent = new DateTimeOffset[n];
    var createFailures = 0;
    var operatorCpuAtCreate = op.CpuSeconds();
    var harnessCpuAtCreate = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    var createStart = Stopwatch.StartNew();
    var t0 = DateTimeOffset.UtcNow;
    using (var gate = new SemaphoreSlim(64))
    {
        var tasks = new List<Task>(n);
        for (var i = 0; i < n; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            var wait = due - createStart.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            await gate.WaitAsync();
            var index = i;
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    sent[index] = DateTimeOffset.UtcNow;
                    var (ns, name) = names[index];
                    await admin.CustomObjects.CreateNamespacedCustomObjectAsync(Workload(ns, name, idp.TokenEndpoint), WorkloadApi.Group, WorkloadApi.Version, ns, WorkloadApi.Plural);
                }
                catch (Exception e)
                {
                    if (Interlocked.Increment(ref createFailures) <= 3)
                    {
                        Console.Error.WriteLine($"create failed: {e.Message}");
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        await Task.WhenAll(tasks);
    }

    harnessRequests += n;
    var createSeconds = createStart.Elapsed.TotalSeconds;
    Say($"created {n} workloads in {createSeconds:F1}s ({n / createSeconds:F0}/s achieved, {createFailures} failures)");
    var allRunningTimeout = TimeSpan.FromSeconds(Math.Max(120, n / 20.0));
    var runningAfter = await WaitUntilAsync(() => recorder.CountInPhase("Running") >= n, allRunningTimeout, () => $"phases {Format(recorder.PhaseHistogram())}");
    var allRunningSeconds = (DateTimeOffset.UtcNow - t0).TotalSeconds;
    var operatorCpuCreate = op.CpuSeconds() - operatorCpuAtCreate;
    var harnessCpuCreate = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - harnessCpuAtCreate;
    scale["cpuSecondsUntilAllRunning"] = new JsonObject
    {
        ["operator"] = Math.Round(operatorCpuCreate, 2),
        ["harnessEmulatorAndIdp"] = Math.Round(harnessCpuCreate, 2),
        ["wallSeconds"] = Math.Round((DateTimeOffset.UtcNow - t0).TotalSeconds, 2),
    };
    Say($"CPU until all Running: operator {operatorCpuCreate:F1}s, harness (emulator + IdP + client) {harnessCpuCreate:F1}s, over {(DateTimeOffset.UtcNow - t0).TotalSeconds:F1}s wall on {Environment.ProcessorCount} cores");
    var firstRunning = recorder.FirstRunning();
    var latencies = names.Select((w, i) => firstRunning.GetValueOrDefault($"{w.Namespace}/{w.Name}") is { } at ? (at - sent[i]).TotalMilliseconds : double.NaN).Where(x => !double.IsNaN(x)).Order().ToArray();
    Say(runningAfter
        ? $"all {n} Running {allRunningSeconds:F1}s after the first create; create→Running p50 {Percentile(latencies, 0.5):F0} ms, p99 {Percentile(latencies, 0.99):F0} ms, max {latencies.LastOrDefault():F0} ms"
        : $"NOT all Running within {allRunningTimeout.TotalSeconds}s: {Format(recorder.PhaseHistogram())}");
    scale["createSeconds"] = Math.Round(createSeconds, 2);
    scale["createRateAchieved"] = Math.Round(n / createSeconds, 1);
    scale["createFailures"] = createFailures;
    scale["allRunning"] = runningAfter;
    scale["secondsUntilAllRunning"] = Math.Round(allRunningSeconds, 2);
    scale["runningCount"] = recorder.CountInPhase("Running");
    scale["latencyMs"] = new JsonObject
    {
        ["samples"] = latencies.Length,
        ["p50"] = Math.Round(Percentile(latencies, 0.5), 1),
        ["p90"] = Math.Round(Percentile(latencies, 0.9), 1),
        ["p99"] = Math.Round(Percentile(latencies, 0.99), 1),
        ["max"] = Math.Round(latencies.LastOrDefault(), 1),
    };

    await Task.Delay(TimeSpan.FromSeconds(3));
    var afterCreate = recorder.Snapshot();
    var metricsAfterCreate = await Metrics.ScrapeAsync(http, op.MetricsUri);
    var tokenRequests = idp.TokenRequestCount - idpBefore;
    scale["idpTokenRequests"] = tokenRequests;
    scale["tokenRequestsPerWorkload"] = Math.Round((double)tokenRequests / n, 3);
    scale["operatorTokenRequestsTotal"] = metricsAfterCreate.Sum("remoteworkload_token_requests_total");
    scale["statusWrites"] = afterCreate.StatusWrites;
    scale["statusWritesPerWorkload"] = Math.Round((double)afterCreate.StatusWrites / n, 3);
    scale["phaseTransitions"] = afterCreate.Transitions;
    scale["statusWritesPerTransition"] = Math.Round((double)afterCreate.StatusWrites / Math.Max(1, afterCreate.Transitions), 3);
    scale["transitionsByKind"] = JsonSerializer.SerializeToNode(afterCreate.TransitionsByKind);
    scale["workQueueDepth3sAfterAllRunning"] = metricsAfterCreate.Sum("remoteworkload_work_queue_depth");
    scale["metricPhaseTransitionsTotal"] = metricsAfterCreate.Sum("remoteworkload_phase_transitions_total");
    scale["eventsCreated"] = afterCreate.EventsCreated;
    scale["eventsByReason"] = JsonSerializer.SerializeToNode(afterCreate.EventsByReason);
    scale["apiRequestsTotal"] = afterCreate.ApiRequests;
    scale["apiRequestsByHarness"] = harnessRequests;
    scale["operatorApiRequestsPerWorkload"] = Math.Round((double)(afterCreate.ApiRequests - harnessRequests) / n, 3);
    scale["apiRequestsByKind"] = JsonSerializer.SerializeToNode(afterCreate.RequestsByKind);
    scale["apiRequestsByVerb"] = JsonSerializer.SerializeToNode(afterCreate.RequestsByVerb);
    scale["rssMiBAfterCreate"] = Mib(op.RssBytes());
    Say($"token requests {tokenRequests} ({(double)tokenRequests / n:F3}/workload); status writes {afterCreate.StatusWrites} ({(double)afterCreate.StatusWrites / n:F3}/workload, {(double)afterCreate.StatusWrites / Math.Max(1, afterCreate.Transitions):F3}/transition); transitions {Format(afterCreate.TransitionsByKind)}");
    Say($"API requests {afterCreate.ApiRequests} total, {afterCreate.ApiRequests - harnessRequests} from the operator ({(double)(afterCreate.ApiRequests - harnessRequests) / n:F2}/workload): {Format(afterCreate.RequestsByKind)}; Events {afterCreate.EventsCreated}");

    // Idle window: nothing changes, no token is due (1 h lifetime).
    if (idleSeconds > 0)
    {
        GC.Collect();
        var idleStart = recorder.Snapshot();
        var idleTokens = idp.TokenRequestCount;
        var cpu0 = op.CpuSeconds();
        var idleClock = Stopwatch.StartNew();
        var rssSamples = new List<long>();
        var cpuPer10s = new JsonArray();
        var harnessIdle0 = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var lastCpu = cpu0;
        var lastMark = TimeSpan.Zero;
        while (idleClock.Elapsed < TimeSpan.FromSeconds(idleSeconds))
        {
            rssSamples.Add(op.RssBytes());
            await Task.Delay(1000);
            if (idleClock.Elapsed - lastMark >= TimeSpan.FromSeconds(10))
            {
                var now = op.CpuSeconds();
                cpuPer10s.Add(Math.Round(100 * (now - lastCpu) / (idleClock.Elapsed - lastMark).TotalSeconds, 2));
                lastCpu = now;
                lastMark = idleClock.Elapsed;
            }
        }

        var harnessIdle = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - harnessIdle0;

        var cpu1 = op.CpuSeconds();
        var idleEnd = recorder.Snapshot();
        var idleMetrics = await Metrics.ScrapeAsync(http, op.MetricsUri);
        var cpuPercent = 100 * (cpu1 - cpu0) / idleClock.Elapsed.TotalSeconds;
        var idle = new JsonObject
        {
            ["seconds"] = Math.Round(idleClock.Elapsed.TotalSeconds, 1),
            ["cpuSeconds"] = Math.Round(cpu1 - cpu0, 2),
            ["cpuPercentOfOneCore"] = Math.Round(cpuPercent, 2),
            ["cpuPercentPer10s"] = cpuPer10s,
            ["harnessCpuPercentOfOneCore"] = Math.Round(100 * harnessIdle / idleClock.Elapsed.TotalSeconds, 2),
            ["machineLoadAverage"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null,
            ["rssMiBMean"] = Mib((long)rssSamples.Average()),
            ["rssMiBMax"] = Mib(rssSamples.Max()),
            ["metricsResidentMemoryMiB"] = Mib((long)idleMetrics.Sum("process_resident_memory_bytes")),
            ["metricsWorkingSetMiB"] = Mib((long)idleMetrics.Sum("process_working_set_bytes")),
            ["metricsManagedHeapMiB"] = Mib((long)idleMetrics.Sum("dotnet_total_memory_bytes")),
            ["tokenRequests"] = idp.TokenRequestCount - idleTokens,
            ["statusWrites"] = idleEnd.StatusWrites - idleStart.StatusWrites,
            ["apiRequests"] = idleEnd.ApiRequests - idleStart.ApiRequests,
            ["apiRequestsByKind"] = JsonSerializer.SerializeToNode(Diff(idleEnd.RequestsByKind, idleStart.RequestsByKind)),
        };
        scale["idle"] = idle;
        Say($"idle {idleClock.Elapsed.TotalSeconds:F0}s: CPU {cpu1 - cpu0:F2}s = {cpuPercent:F2}% of one core (per 10s: {string.Join(' ', cpuPer10s)}); harness {100 * harnessIdle / idleClock.Elapsed.TotalSeconds:F1}%; RSS mean {Mib((long)rssSamples.Average())} MiB max {Mib(rssSamples.Max())} MiB; token requests {idp.TokenRequestCount - idleTokens}; status writes {idleEnd.StatusWrites - idleStart.StatusWrites}; API requests {idleEnd.ApiRequests - idleStart.ApiRequests} {Format(Diff(idleEnd.RequestsByKind, idleStart.RequestsByKind))}");
    }

    await WriteResultsAsync();

    // ---------------- 2. Outage storm ----------------
    if (runOutage)
    {
        var outage = await OutageAsync("outage", killMidOutage: false);
        results["outage"] = outage;
        await WriteResultsAsync();
    }

    // ---------------- 3. Restart under outage ----------------
    if (runRestart)
    {
        var restart = await OutageAsync("restart", killMidOutage: true);
        results["restart"] = restart;
        await WriteResultsAsync();
    }

    if (runOutageThenRestart)
    {
        var both = await OutageAsync("outage-restart", killMidOutage: true, holdBeforeKill: TimeSpan.FromSeconds(outageHoldSeconds));
        results["outageRestart"] = both;
        await WriteResultsAsync();
    }
}
finally
{
    await op.DisposeAsync();
}

results["wallSeconds"] = Math.Round(wall.Elapsed.TotalSeconds, 1);
await WriteResultsAsync();
Say($"results: {Path.Combine(runDirectory, "results.json")} and results.md");
return 0;

async Task<JsonObject> OutageAsync(string label, bool killMidOutage, TimeSpan? holdBeforeKill = null)
{
    var result = new JsonObject();
    Say($"[{label}] IdP answers 503 (Retry-After {idp.RetryAfter.TotalSeconds:F0}s) from now; every workload asked for one attempt (annotation {WorkloadAnnotations.RetryRequestedAt})");
    var before = recorder.Snapshot();
    var storeEventsBefore = before.EventsCreated;
    idp.SetFault(AuthServerFault.ServiceUnavailable503);
    var outageStart = DateTimeOffset.UtcNow;
    var annotateClock = Stopwatch.StartNew();
    var value = $"{label}-{outageStart:HHmmss}";
    await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (w, ct) =>
    {
        var patch = $"{{\"metadata\":{{\"annotations\":{{\"{WorkloadAnnotations.RetryRequestedAt}\":\"{value}\"}}}}}}";
        await admin.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), WorkloadApi.Group, WorkloadApi.Version, w.Namespace, WorkloadApi.Plural, w.Name, cancellationToken: ct);
    });
    harnessRequests += n;
    result["annotateSeconds"] = Math.Round(annotateClock.Elapsed.TotalSeconds, 2);
    Say($"[{label}] annotated {n} in {annotateClock.Elapsed.TotalSeconds:F1}s");
    var allRetrying = await WaitUntilAsync(() => recorder.CountInPhase("AuthRetrying") >= n, TimeSpan.FromSeconds(Math.Max(90, n / 50.0)), () => $"phases {Format(recorder.PhaseHistogram())}");
    var retryingAt = DateTimeOffset.UtcNow;
    result["allAuthRetrying"] = allRetrying;
    result["secondsUntilAllAuthRetrying"] = Math.Round((retryingAt - outageStart).TotalSeconds, 2);
    result["phasesWhenRetrying"] = JsonSerializer.SerializeToNode(recorder.PhaseHistogram());
    result["workQueueDepthWhenAllRetrying"] = (await Metrics.ScrapeAsync(http, op.MetricsUri)).Sum("remoteworkload_work_queue_depth");
    Say(allRetrying ? $"[{label}] all {n} AuthRetrying {(retryingAt - outageStart).TotalSeconds:F1}s after the outage began" : $"[{label}] NOT all AuthRetrying: {Format(recorder.PhaseHistogram())}");

    var windowStart = retryingAt;
    var atWindowStart = recorder.Snapshot();
    if (killMidOutage)
    {
        // Let ticks run a little (or for the whole hold, whose spread is then measured), then record deadlines and
        // counters and kill -9.
        await Task.Delay(holdBeforeKill ?? TimeSpan.FromSeconds(5));
        if (holdBeforeKill is not null)
        {
            var beforeKill = new JsonObject();
            WindowStats(label + " before kill", beforeKill, windowStart, DateTimeOffset.UtcNow, atWindowStart, recorder.Snapshot(), afterRestart: false);
            result["beforeKill"] = beforeKill;
        }

        var deadlinesBefore = recorder.Deadlines();
        var atKill = recorder.Snapshot();
        var tokensAtKill = idp.TokenRequestCount;
        await op.KillHardAsync();
        var killedAt = DateTimeOffset.UtcNow;
        Say($"[{label}] kill -9 operator pid {op.ProcessId}");
        await op.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var afterKill = recorder.Snapshot();
        op = OperatorProcess.Start(operatorDll, operatorKubeconfig, operatorLog, environment, restartSpread);
        await op.WaitForMetricsAsync(http, TimeSpan.FromSeconds(60));
        var restartedAt = DateTimeOffset.UtcNow;
        var atRestart = recorder.Snapshot();
        Say($"[{label}] operator restarted as pid {op.ProcessId} (--startup-spread={restartSpread.TotalSeconds:F0}s); observing {restartObserveSeconds}s");
        await Task.Delay(TimeSpan.FromSeconds(restartObserveSeconds));
        var deadlinesAfter = recorder.Deadlines();
        var afterRestart = recorder.Snapshot();
        var changed = deadlinesBefore.Count(kv => deadlinesAfter.GetValueOrDefault(kv.Key) != kv.Value);
        var missing = deadlinesBefore.Count(kv => kv.Value is null);
        var times = idp.TokenRequestTimes.Where(t => t >= restartedAt && t < restartedAt.AddSeconds(restartObserveSeconds)).ToList();
        var firstTick = Bins(times, restartedAt, TimeSpan.FromSeconds(1), restartObserveSeconds);
        var firstWindow = firstTick;
        result["restart"] = new JsonObject
        {
            ["restartSpreadSeconds"] = restartSpread.TotalSeconds,
            ["operatorDownSeconds"] = Math.Round((restartedAt - killedAt).TotalSeconds, 2),
            ["deadlinesCompared"] = deadlinesBefore.Count,
            ["deadlinesMissingBeforeKill"] = missing,
            ["deadlinesChanged"] = changed,
            ["tokenRequestsBetweenKillAndRestart"] = idp.TokenRequestTimes.Count(t => t >= killedAt && t < restartedAt),
            ["tokenRequestsInObservation"] = times.Count,
            ["requestsPerSecondAfterRestart"] = new JsonArray([.. firstTick.Select(x => (JsonNode)x)]),
            ["firstWindowPeakToMean1sBins"] = Math.Round(firstWindow.Max() / Math.Max(1e-9, firstWindow.Average()), 2),
            ["transitionsDuringRestart"] = afterRestart.Transitions - atKill.Transitions,
            ["transitionsByKindDuringRestart"] = JsonSerializer.SerializeToNode(Diff(afterRestart.TransitionsByKind, atKill.TransitionsByKind)),
            ["statusWritesDuringRestart"] = afterRestart.StatusWrites - afterKill.StatusWrites,
            ["eventsCreatedAfterRestart"] = afterRestart.EventsCreated - afterKill.EventsCreated,
            ["eventsBumpedAfterRestart"] = afterRestart.EventsBumped - afterKill.EventsBumped,
            ["eventsByReasonAfterRestart"] = JsonSerializer.SerializeToNode(Diff(afterRestart.EventsByReason, afterKill.EventsByReason)),
            ["apiRequestsAfterRestart"] = afterRestart.ApiRequests - afterKill.ApiRequests,
            ["tokensBeforeKill"] = tokensAtKill,
        };
        Say($"[{label}] deadlines changed {changed}/{deadlinesBefore.Count} (missing before kill {missing}); transitions during restart {afterRestart.Transitions - atKill.Transitions}; status writes after restart {afterRestart.StatusWrites - afterKill.StatusWrites}; new Events {afterRestart.EventsCreated - afterKill.EventsCreated}, bumped {afterRestart.EventsBumped - afterKill.EventsBumped}");
        Say($"[{label}] token requests per second after restart: {string.Join(' ', firstTick)} (peak/mean over the first {firstWindow.Length}s: {firstWindow.Max() / Math.Max(1e-9, firstWindow.Average()):F2})");
        windowStart = restartedAt;
        atWindowStart = atRestart;
    }
    else
    {
        await Task.Delay(TimeSpan.FromSeconds(outageHoldSeconds));
    }

    WindowStats(label, result, windowStart, DateTimeOffset.UtcNow, atWindowStart, recorder.Snapshot(), afterRestart: killMidOutage);

    idp.SetFault(AuthServerFault.None);
    var recoverAt = DateTimeOffset.UtcNow;
    var recovered = await WaitUntilAsync(() => recorder.CountInPhase("Running") >= n, TimeSpan.FromSeconds(Math.Max(60, n / 50.0)), () => $"phases {Format(recorder.PhaseHistogram())}");
    var recoveredAt = DateTimeOffset.UtcNow;
    result["allRecovered"] = recovered;
    result["secondsUntilAllRunningAfterIdpReturns"] = Math.Round((recoveredAt - recoverAt).TotalSeconds, 2);
    Say(recovered ? $"[{label}] IdP back: all {n} Running after {(recoveredAt - recoverAt).TotalSeconds:F1}s (tick {TickInterval})" : $"[{label}] NOT all recovered: {Format(recorder.PhaseHistogram())}");
    await Task.Delay(TimeSpan.FromSeconds(3));
    var after = recorder.Snapshot();
    var transitions = after.Transitions - before.Transitions;
    var writes = after.StatusWrites - before.StatusWrites;
    var events = after.EventsCreated - before.EventsCreated;
    var bumps = after.EventsBumped - before.EventsBumped;
    result["transitions"] = transitions;
    result["transitionsPerWorkload"] = Math.Round((double)transitions / n, 3);
    result["transitionsByKind"] = JsonSerializer.SerializeToNode(Diff(after.TransitionsByKind, before.TransitionsByKind));
    result["statusWrites"] = writes;
    result["statusWritesPerWorkload"] = Math.Round((double)writes / n, 3);
    result["statusWritesPerTransition"] = Math.Round((double)writes / Math.Max(1, transitions), 3);
    result["eventsCreated"] = events;
    result["eventsBumped"] = bumps;
    result["eventsPerWorkloadPerTransition"] = Math.Round((double)(events + bumps) / Math.Max(1, transitions), 3);
    result["eventsByReason"] = JsonSerializer.SerializeToNode(Diff(after.EventsByReason, before.EventsByReason));
    result["idpTokenRequestsWholeScenario"] = idp.TokenRequestTimes.Count(t => t >= outageStart);
    result["apiRequests"] = after.ApiRequests - before.ApiRequests;
    result["apiRequestsByKind"] = JsonSerializer.SerializeToNode(Diff(after.RequestsByKind, before.RequestsByKind));
    result["apiRequestsByVerb"] = JsonSerializer.SerializeToNode(Diff(after.RequestsByVerb, before.RequestsByVerb));
    result["secretGets"] = Diff(after.RequestsByVerb, before.RequestsByVerb).GetValueOrDefault("secrets get");
    result["rssMiB"] = Mib(op.RssBytes());
    _ = storeEventsBefore;
    Say($"[{label}] API requests by verb over the scenario {Format(Diff(after.RequestsByVerb, before.RequestsByVerb))}");
    Say($"[{label}] transitions {transitions} ({(double)transitions / n:F2}/workload: {Format(Diff(after.TransitionsByKind, before.TransitionsByKind))}); status writes {writes} ({(double)writes / Math.Max(1, transitions):F2}/transition); Events created {events}, bumped {bumps} ({(double)(events + bumps) / Math.Max(1, transitions):F2}/transition) {Format(Diff(after.EventsByReason, before.EventsByReason))}");
    return result;

    // The token requests of one window of the outage: bins, spread, and the API requests counted against its ticks.
    void WindowStats(string label, JsonObject into, DateTimeOffset windowStart, DateTimeOffset windowEnd, StoreRecorder.Counters atWindowStart, StoreRecorder.Counters atWindowEnd, bool afterRestart)
    {
        var windowTimes = idp.TokenRequestTimes.Where(t => t >= windowStart && t < windowEnd).ToList();
        var bins10 = Bins(windowTimes, windowStart, TimeSpan.FromSeconds(10), (int)((windowEnd - windowStart).TotalSeconds / 10));
        var bins1 = Bins(windowTimes, windowStart, TimeSpan.FromSeconds(1), (int)(windowEnd - windowStart).TotalSeconds);
        var seconds = (windowEnd - windowStart).TotalSeconds;
        into["outageWindowSeconds"] = Math.Round(seconds, 1);
        into["tokenRequestsInWindow"] = windowTimes.Count;
        into["tokenRequestRatePerSecond"] = Math.Round(windowTimes.Count / seconds, 1);
        into["expectedRatePerSecond"] = Math.Round(n / 10.0, 1);
        into["bins10s"] = new JsonArray([.. bins10.Select(x => (JsonNode)x)]);
        into["bins1s"] = new JsonArray([.. bins1.Select(x => (JsonNode)x)]);
        into["peakToMean10s"] = bins10.Length > 0 ? Math.Round(bins10.Max() / Math.Max(1e-9, bins10.Average()), 3) : null;
        into["peakToMean1s"] = bins1.Length > 0 ? Math.Round(bins1.Max() / Math.Max(1e-9, bins1.Average()), 3) : null;

        // No attempt may come before the IdP's Retry-After, so the first seconds of the window are empty by rule; the
        // spread of the ticks is also given over the bins from the first tick the Retry-After allowed.
        var allowedFrom = (int)Math.Ceiling((outageStart + idp.RetryAfter - windowStart).TotalSeconds);
        var allowedBins = afterRestart ? bins1 : bins1.Skip(Math.Max(0, allowedFrom)).ToArray();
        into["peakToMean1sFromFirstAllowedTick"] = allowedBins.Length > 0 ? Math.Round(allowedBins.Max() / Math.Max(1e-9, allowedBins.Average()), 3) : null;

        // Ticks in the window: each is one token request; each writes its progress (status.authRetry). Every other API
        // request of the window is counted against them.
        var windowRequests = atWindowEnd.ApiRequests - atWindowStart.ApiRequests;
        var windowStatusWrites = atWindowEnd.StatusWrites - atWindowStart.StatusWrites;
        into["apiRequestsInWindow"] = windowRequests;
        into["apiRequestsByVerbInWindow"] = JsonSerializer.SerializeToNode(Diff(atWindowEnd.RequestsByVerb, atWindowStart.RequestsByVerb));
        into["apiRequestsPerTokenRequestInWindow"] = Math.Round((double)windowRequests / Math.Max(1, windowTimes.Count), 3);
        into["tokenRequestsPerStatusWriteInWindow"] = Math.Round((double)windowTimes.Count / Math.Max(1, windowStatusWrites), 3);
        Say($"[{label}] window: API requests {windowRequests} ({(double)windowRequests / Math.Max(1, windowTimes.Count):F3} per tick) {Format(Diff(atWindowEnd.RequestsByVerb, atWindowStart.RequestsByVerb))}; 1s peak/mean from the first tick Retry-After allowed {(allowedBins.Length > 0 ? allowedBins.Max() / Math.Max(1e-9, allowedBins.Average()) : 0):F2}");
        Say($"[{label}] outage window {seconds:F0}s: {windowCountText(windowTimes.Count, seconds)}; 10s bins {string.Join(' ', bins10)} peak/mean {(bins10.Length > 0 ? bins10.Max() / Math.Max(1e-9, bins10.Average()) : 0):F2}; 1s bins peak/mean {(bins1.Length > 0 ? bins1.Max() / Math.Max(1e-9, bins1.Average()) : 0):F2}");
    }

    static string windowCountText(int count, double seconds) => $"{count} token requests, {count / seconds:F1}/s";
}

async Task WriteResultsAsync()
{
    var json = results.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    await File.WriteAllTextAsync(Path.Combine(runDirectory, "results.json"), json);
    var md = new StringBuilder();
    md.AppendLine(CultureInfo.InvariantCulture, $"# Operator.Scale N={n} scenario={scenario}");
    md.AppendLine();
    md.AppendLine("```json");
    md.AppendLine(json);
    md.AppendLine("```");
    await File.WriteAllTextAsync(Path.Combine(runDirectory, "results.md"), md.ToString());
}

static JsonObject Workload(string ns, string name, Uri tokenEndpoint) => new()
{
    ["apiVersion"] = $"{WorkloadApi.Group}/{WorkloadApi.Version}",
    ["kind"] = "RemoteWorkload",
    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
    ["spec"] = new JsonObject
    {
        ["url"] = $"http://127.0.0.1:9/{name}",
        ["oauth"] = new JsonObject
        {
            ["tokenUrl"] = tokenEndpoint.ToString(),
            ["grant"] = "ClientCredentials",
            ["clientId"] = "bench-client",
            ["clientSecretRef"] = new JsonObject { ["name"] = "bench-client", ["key"] = "client_secret" },
            ["clientAuthentication"] = "ClientSecretPost",
        },
    },
};

static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> progress)
{
    var clock = Stopwatch.StartNew();
    var lastReport = TimeSpan.Zero;
    while (!condition())
    {
        if (clock.Elapsed > timeout)
        {
            return false;
        }

        if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(10))
        {
            lastReport = clock.Elapsed;
            Console.WriteLine($"          ... {clock.Elapsed.TotalSeconds:F0}s: {progress()}");
        }

        await Task.Delay(50);
    }

    return true;
}

static int[] Bins(IEnumerable<DateTimeOffset> times, DateTimeOffset start, TimeSpan width, int count)
{
    var bins = new int[Math.Max(0, count)];
    foreach (var t in times)
    {
        var i = (int)((t - start) / width);
        if (i >= 0 && i < bins.Length)
        {
            bins[i]++;
        }
    }

    return bins;
}

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static double Mib(long bytes) => Math.Round(bytes / 1024.0 / 1024.0, 1);

static Dictionary<string, TValue> Diff<TValue>(IReadOnlyDictionary<string, TValue> after, IReadOnlyDictionary<string, TValue> before)
    where TValue : System.Numerics.INumber<TValue> =>
    after.Select(kv => (kv.Key, Value: kv.Value - before.GetValueOrDefault(kv.Key, TValue.Zero))).Where(kv => kv.Value != TValue.Zero).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

static string Format<TValue>(IReadOnlyDictionary<string, TValue> values) => "{" + string.Join(", ", values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value}")) + "}";

static JsonObject Machine()
{
    var cpuinfo = File.Exists("/proc/cpuinfo") ? File.ReadAllLines("/proc/cpuinfo") : [];
    var memory = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault() : null;
    return new JsonObject
    {
        ["processors"] = Environment.ProcessorCount,
        ["cpuModel"] = cpuinfo.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim(),
        ["memTotal"] = memory,
        ["dotnet"] = Environment.Version.ToString(),
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
    };
}

static string? Option(string[] args, string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static string Root()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Operator.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Operator.sln not found above " + AppContext.BaseDirectory);
}
