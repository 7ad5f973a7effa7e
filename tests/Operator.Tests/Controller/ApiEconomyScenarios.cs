using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;
using RemoteWorkloadOperator.Tests.Chaos;
using RemoteWorkloadOperator.Tests.Scenarios;

namespace RemoteWorkloadOperator.Tests.Controller;

/// <summary>What the operator costs the API server, counted request by request on the emulator.</summary>
public sealed class ApiEconomyScenarios(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    private async Task<string> NamespaceWithClientSecretAsync(string prefix, params string[] secrets)
    {
        var ns = await Environment.NewNamespaceAsync(prefix, Cancel);
        foreach (var secret in secrets)
        {
            await Workloads.CreateSecretAsync(Environment.Admin, ns, secret, new Dictionary<string, string> { ["client_secret"] = ScenarioEnvironment.ClientSecret }, Cancel);
        }

        return ns;
    }

    [Fact]
    public async Task AuthRetrying_ticks_read_no_secret_and_write_only_their_progress()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await NamespaceWithClientSecretAsync("economy-tick", "client");
        var audit = new ApiRequestAudit();
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel, apiAudit: audit);
        await Workloads.CreateAsync(Environment.Admin, Workloads.ClientCredentials(ns, "w", idp.TokenEndpoint, ScenarioEnvironment.ClientId, "client"), Cancel);
        await Workloads.WaitForPhaseAsync(Environment.Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);
        idp.SetFault(AuthServerFault.ServiceUnavailable503);
        await Workloads.RequestAttemptAsync(Environment.Admin, ns, "w", idp, "outage", Cancel);
        var retrying = await Workloads.WaitForPhaseAsync(Environment.Admin, ns, "w", WorkloadPhase.AuthRetrying, Settle, Cancel);

        var beforeTicks = audit.Requests.Count;
        var attempts = retrying.Status!.AuthRetry!.Attempts;
        await Workloads.WaitAsync(Environment.Admin, ns, "w", w => w.Status?.AuthRetry?.Attempts >= attempts + 2, TimeSpan.FromSeconds(30), Cancel);
        var duringTicks = audit.Requests.Skip(beforeTicks).Where(r => !r.Watch).ToList();

        Assert.Equal(2, duringTicks.Count(r => r.IsStatusPatch));
        Assert.All(duringTicks, r => Assert.True(r.IsStatusPatch, $"a tick sent {r}"));
        // In the whole run at most one Secret GET: the client Secret's data, when it was listed before the workload
        // referenced it (the cache keeps only the metadata of unreferenced Secrets). Creation, the retry request and the
        // attempts all read the cache.
        Assert.True(audit.Requests.Count(r => r.IsSecretGet) <= 1, string.Join(", ", audit.Requests.Where(r => r.IsSecretGet)));
        Assert.Contains(audit.Requests, r => r.IsSecretList);
    }

    [Fact]
    public async Task Creating_a_workload_costs_one_status_patch_one_token_secret_create_and_one_event()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await NamespaceWithClientSecretAsync("economy-create", "client");
        var audit = new ApiRequestAudit();
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel, apiAudit: audit);
        // A first workload makes the shared client Secret referenced (so cached with its data), as in a fleet.
        await Workloads.CreateAsync(Environment.Admin, Workloads.ClientCredentials(ns, "first", idp.TokenEndpoint, ScenarioEnvironment.ClientId, "client"), Cancel);
        await Workloads.WaitForPhaseAsync(Environment.Admin, ns, "first", WorkloadPhase.Running, Settle, Cancel);
        await WaitUntilAsync(() => audit.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/events", StringComparison.Ordinal)) == 1);
        var beforeCreate = audit.Requests.Count;

        await Workloads.CreateAsync(Environment.Admin, Workloads.ClientCredentials(ns, "w", idp.TokenEndpoint, ScenarioEnvironment.ClientId, "client"), Cancel);
        await Workloads.WaitForPhaseAsync(Environment.Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);
        await WaitUntilAsync(() => audit.Requests.Skip(beforeCreate).Any(r => r.Method == "POST" && r.Path.EndsWith("/events", StringComparison.Ordinal)));
        var calls = audit.Requests.Skip(beforeCreate).Where(r => !r.Watch).ToList();

        Assert.True(calls.Count == 3, $"expected 3 requests, got {calls.Count}: {string.Join(", ", calls)}");
        Assert.Single(calls, r => r.IsStatusPatch);
        Assert.Single(calls, r => r.Method == "POST" && r.Path.EndsWith($"/namespaces/{ns}/secrets", StringComparison.Ordinal));
        Assert.Single(calls, r => r.Method == "POST" && r.Path.EndsWith("/events", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_secret_change_reconciles_exactly_the_workloads_that_reference_it()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await NamespaceWithClientSecretAsync("economy-route", "shared", "own");
        var logs = new CapturedLogs();
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel, logCapture: logs);
        foreach (var (name, secret) in new[] { ("one", "shared"), ("two", "shared"), ("three", "own") })
        {
            await Workloads.CreateAsync(Environment.Admin, Workloads.ClientCredentials(ns, name, idp.TokenEndpoint, ScenarioEnvironment.ClientId, secret), Cancel);
        }

        var revisions = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in new[] { "one", "two", "three" })
        {
            revisions[name] = (await Workloads.WaitForPhaseAsync(Environment.Admin, ns, name, WorkloadPhase.Running, Settle, Cancel)).Status!.ObservedCredentialsRevision;
        }

        var mark = logs.Lines.Count();
        await Workloads.UpdateSecretAsync(Environment.Admin, ns, "shared", "unrelated", "x", Cancel);
        foreach (var name in new[] { "one", "two" })
        {
            await Workloads.WaitAsync(Environment.Admin, ns, name, w => w.Status?.ObservedCredentialsRevision != revisions[name], Settle, Cancel);
        }

        var reconciled = logs.Lines.Skip(mark)
            .Select(line => line.IndexOf("reconciling ", StringComparison.Ordinal) is var at and >= 0 ? line[(at + "reconciling ".Length)..].Split(' ')[0] : null)
            .Where(key => key is not null)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        Assert.Equal([$"{ns}/one", $"{ns}/two"], reconciled);
        Assert.Equal(revisions["three"], (await Workloads.GetAsync(Environment.Admin, ns, "three", Cancel))!.Status!.ObservedCredentialsRevision);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(Settle);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
