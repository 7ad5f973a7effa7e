using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// Scenarios that need the emulator's fault injection or several operator replicas: restart durability,
/// leader handover, API fault storms, invalid workloads beside valid ones, and RBAC. Each class gets its own control plane, so the cluster-wide
/// faults here cannot disturb other scenario classes.
/// </summary>
public sealed class EmulatorScenarios(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    private static readonly TimeSpan OneTick = TimeSpan.FromSeconds(17);

    [Fact]
    public async Task restart_mid_AuthRetrying_keeps_the_deadline_and_waits_for_the_next_attempt_time()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("s6", Cancel);
        await Environment.CreateCredentialsAsync(idp, ns, "creds", Cancel);
        var first = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-a", cancellationToken: Cancel);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);
        idp.SetFault(AuthServerFault.ServiceUnavailable503);
        await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "outage", Cancel);
        var before = (await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.AuthRetrying, Settle, Cancel)).Status!;

        await first.DisposeAsync();
        var requestsAtRestart = idp.TokenRequestCount;
        await using var second = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-b", cancellationToken: Cancel);
        var nextAttempt = before.AuthRetry!.NextAttemptTime!.Value;

        // Until the persisted nextAttemptTime, the new replica must not call the IdP.
        while (DateTime.UtcNow < nextAttempt.AddMilliseconds(-300))
        {
            Assert.Equal(requestsAtRestart, idp.TokenRequestCount);
            await Task.Delay(100, Cancel);
        }

        var after = (await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.AuthRetry?.Attempts > before.AuthRetry.Attempts, OneTick, Cancel)).Status!;
        Assert.Equal(WorkloadPhase.AuthRetrying, after.Phase);
        Assert.Equal(before.AuthRetry.StartedAt, after.AuthRetry!.StartedAt);
        Assert.Equal(before.AuthRetry.Deadline, after.AuthRetry.Deadline);
        Assert.Equal(
            before.Conditions!.Single(c => c.Type == ConditionTypes.AuthRetrying).LastTransitionTime,
            after.Conditions!.Single(c => c.Type == ConditionTypes.AuthRetrying).LastTransitionTime);
        Assert.All(idp.TokenRequestTimes.Skip(requestsAtRestart), t => Assert.True(t.UtcDateTime >= nextAttempt.AddMilliseconds(-300), $"request at {t:O} before nextAttemptTime {nextAttempt:O}"));
        Assert.Empty(second.PhaseChanges);
    }

    [Fact]
    public async Task after_the_ceiling_the_probe_survives_a_restart_and_recovers_the_workload_when_the_IdP_heals()
    {
        // Operator-wide: give up after 10 s, then probe every 3 s (the parser's 1m floor does not bind a test's options).
        var retry = ScenarioOperator.FastRetry with { Ceiling = TimeSpan.FromSeconds(10), ProbeInterval = TimeSpan.FromSeconds(3) };
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("probe", Cancel);
        await Environment.CreateCredentialsAsync(idp, ns, "creds", Cancel);
        var first = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-a", retry: retry, cancellationToken: Cancel);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);

        idp.SetFault(AuthServerFault.ServiceUnavailable503);
        await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "outage", Cancel);
        var givenUp = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Unauthenticated, Settle + OneTick, Cancel);
        Assert.Equal(Reasons.CeilingExceeded, givenUp.Status!.Reason);
        Assert.NotNull(givenUp.Status.AuthRetry!.NextProbeTime);

        // A probe or two fail while the IdP is still down: one request per interval, never more.
        var gaveUpAt = DateTimeOffset.UtcNow;
        await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.AuthRetry?.Attempts > givenUp.Status.AuthRetry.Attempts, Settle, Cancel);
        var afterCeiling = idp.TokenRequestTimes.Where(t => t >= gaveUpAt).ToList();
        Assert.All(afterCeiling.Zip(afterCeiling.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromSeconds(2.9), $"probes {pair.First:O} and {pair.Second:O} closer than the interval"));

        await first.DisposeAsync();
        idp.SetFault(AuthServerFault.None);
        await using var second = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-b", retry: retry, cancellationToken: Cancel);

        // No trigger: the new operator resumes the probe from status, and the probe brings the workload back.
        var recovered = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);
        Assert.Null(recovered.Status!.AuthRetry);
        Assert.Equal(Reasons.Recovered, (await Workloads.EventsAsync(Admin, ns, "w", Cancel))[^1].Reason);
    }

    [Fact]
    public async Task only_the_leader_works_and_a_standby_takes_over_without_reusing_a_rotated_refresh_token()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("s7", Cancel);
        await Environment.CreateCredentialsAsync(idp, ns, "creds", Cancel);
        var a = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-a", leaderElection: true, cancellationToken: Cancel);
        var b = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-b", leaderElection: true, cancellationToken: Cancel);
        try
        {
            await Eventually(() => a.Leadership.IsLeader || b.Leadership.IsLeader, "a leader is elected");
            await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
            await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);
            var (leader, standby) = a.Leadership.IsLeader ? (a, b) : (b, a);
            Assert.False(standby.Leadership.IsLeader);
            Assert.Equal(1, leader.Registry.Count);
            Assert.Equal(0, standby.Registry.Count);
            Assert.Empty(standby.PhaseChanges);
            Assert.NotNull(await Workloads.GetSecretAsync(Admin, ns, "w-oauth-state", Cancel));

            var lostAt = DateTimeOffset.UtcNow;
            await leader.DisposeAsync();
            await Eventually(() => standby.Leadership.IsLeader, "the standby takes over", TimeSpan.FromSeconds(15));
            Assert.True(DateTimeOffset.UtcNow - lostAt < standby.Options.LeaseDuration + TimeSpan.FromSeconds(6), "took longer than the lease duration plus the election period");

            // The new leader must refresh with the rotated token the old one stored, never the used input token.
            var requestsBefore = idp.TokenRequestCount;
            await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "after-failover", Cancel);
            var refreshed = await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.Token?.LastRefreshTime > DateTime.UtcNow.AddSeconds(-10) && w.Status.LastHandledRetryRequest?.StartsWith("after-failover", StringComparison.Ordinal) == true, Settle, Cancel);
            Assert.True(idp.TokenRequestCount > requestsBefore);
            Assert.Equal(0, idp.ReusedRefreshTokens);
            Assert.Equal(WorkloadPhase.Running, refreshed.Status!.Phase);
            Assert.Equal(Reasons.TokenIssued, refreshed.Status.Reason);
            Assert.DoesNotContain(standby.PhaseChanges, c => c.To == WorkloadPhase.Unauthenticated);
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task conflict_storms_server_errors_dropped_watches_and_410_lose_no_transition()
    {
        await using var run = await Environment.StartRunningAsync("s8", null, Cancel);
        var (idp, ns, op) = (run.Idp, run.Namespace, run.Operator);
        var changesBefore = op.PhaseChanges.Count;

        // The TokenIssued Event is recorded just after the Running status write: count Events only once it is there.
        int eventsBefore;
        var deadline = DateTimeOffset.UtcNow + Settle;
        while ((eventsBefore = (await Workloads.EventsAsync(Admin, ns, "w", Cancel)).Count) == 0)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the TokenIssued Event of the first token was never recorded");
            await Task.Delay(100, Cancel);
        }

        var faults = Environment.ControlPlane.Faults;

        faults.FailNextWrites("remoteworkloads/status", 4, 409, ns);
        faults.FailNextWrites("remoteworkloads/status", 2, 500, ns);
        idp.SetFault(AuthServerFault.WafHtml403);
        await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "storm", Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.AuthRetrying, Settle, Cancel);

        faults.DropWatches();
        faults.CompactHistory();
        faults.FailNextWrites("remoteworkloads/status", 3, 409, ns);
        idp.SetFault(AuthServerFault.None);
        await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, OneTick + TimeSpan.FromSeconds(5), Cancel);
        // The Event of a transition is recorded after its status write: wait for it, then compare exactly.
        await Eventually(async () => (await Workloads.EventsAsync(Admin, ns, "w", Cancel)).Skip(eventsBefore).Any(e => e.Reason == Reasons.Recovered), "the Recovered Event");

        Assert.Equal([WorkloadPhase.AuthRetrying, WorkloadPhase.Running], op.PhaseChanges.Skip(changesBefore).Select(c => c.To));
        var events = (await Workloads.EventsAsync(Admin, ns, "w", Cancel)).Skip(eventsBefore).Select(e => e.Reason);
        Assert.Equal([Reasons.AuthRetrying, Reasons.Recovered], events);
    }

    [Fact]
    public async Task invalid_workloads_fail_with_the_field_while_valid_ones_keep_running()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("s10", Cancel);
        await Workloads.CreateSecretAsync(Admin, ns, "client", new Dictionary<string, string> { ["client_secret"] = ScenarioEnvironment.ClientSecret }, Cancel);
        await Workloads.CreateSecretAsync(Admin, ns, "foreign", new Dictionary<string, string> { ["x"] = "not ours" }, Cancel);
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel);
        RemoteWorkload Valid(string name) => Workloads.ClientCredentials(ns, name, idp.TokenEndpoint, ScenarioEnvironment.ClientId, "client");

        await Workloads.CreateAsync(Admin, Valid("good"), Cancel);
        // A tick over a day is refused by the API server itself (the CRD's bound), before the operator sees it.
        var tickTooLong = Valid("tick-over-a-day");
        tickTooLong.Spec.Retry = new RetrySpec { TickInterval = KubeDuration.Parse("48h") };
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => Workloads.CreateAsync(Admin, tickTooLong, Cancel));
        Assert.Contains("tickInterval must be at most 24h", refused.Response.Content, StringComparison.Ordinal);
        var publicWithSecret = Valid("public-with-secret");
        publicWithSecret.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.None;
        var missingKey = Valid("missing-key");
        missingKey.Spec.OAuth.ClientSecretRef!.Key = "nope";
        var missingSecret = Valid("missing-secret");
        missingSecret.Spec.OAuth.ClientSecretRef!.Name = "later";
        var conflict = Valid("conflict");
        conflict.Spec.TokenSecret = new TokenSecretSpec { Name = "foreign" };
        foreach (var workload in new[] { publicWithSecret, missingKey, missingSecret, conflict })
        {
            await Workloads.CreateAsync(Admin, workload, Cancel);
        }

        await Expect("public-with-secret", WorkloadPhase.Failed, Reasons.InvalidSpec, "spec.oauth.clientSecretRef");
        await Expect("missing-key", WorkloadPhase.Failed, Reasons.SecretKeyMissing, "\"nope\"");
        await Expect("missing-secret", WorkloadPhase.Pending, Reasons.SecretNotFound, "later");
        await Expect("conflict", WorkloadPhase.Failed, Reasons.SecretConflict, "spec.tokenSecret.name");
        await Workloads.WaitForPhaseAsync(Admin, ns, "good", WorkloadPhase.Running, Settle, Cancel);
        Assert.Equal("not ours", Encoding.UTF8.GetString((await Workloads.GetSecretAsync(Admin, ns, "foreign", Cancel))!.Data["x"]));
        Assert.Contains(await Workloads.EventsAsync(Admin, ns, "missing-key", Cancel), e => e.Type == "Warning" && e.Reason == Reasons.SecretKeyMissing);

        // The Pending one recovers by itself when its Secret appears.
        await Workloads.CreateSecretAsync(Admin, ns, "later", new Dictionary<string, string> { ["client_secret"] = ScenarioEnvironment.ClientSecret }, Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "missing-secret", WorkloadPhase.Running, Settle, Cancel);

        async Task Expect(string name, WorkloadPhase phase, string reason, string messagePart)
        {
            var workload = await Workloads.WaitForPhaseAsync(Admin, ns, name, phase, Settle, Cancel);
            Assert.Equal(reason, workload.Status!.Reason);
            Assert.Contains(messagePart, workload.Status.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task the_operator_identity_holds_exactly_the_config_rbac_permissions()
    {
        var ns = await Environment.NewNamespaceAsync("s11", Cancel);
        await Workloads.CreateSecretAsync(Admin, ns, "creds", new Dictionary<string, string> { ["k"] = "v" }, Cancel);
        using var asOperator = new Kubernetes(Environment.OperatorConfiguration);

        // Granted: read Secrets, read workloads, write Events.
        Assert.NotNull(await asOperator.CoreV1.ReadNamespacedSecretAsync("creds", ns, cancellationToken: Cancel));
        await asOperator.CustomObjects.ListNamespacedCustomObjectAsync(WorkloadApi.Group, WorkloadApi.Version, ns, WorkloadApi.Plural, cancellationToken: Cancel);

        // Not granted: deleting workloads, writing workload specs, touching ConfigMaps. (Deleting Secrets
        // is granted: unclaimed state Secrets are deleted after the retention, and
        // OwnerReferencesPermissionEnforcement requires it to set ownerReferences.)
        await AssertForbidden(() => asOperator.CustomObjects.DeleteNamespacedCustomObjectAsync(WorkloadApi.Group, WorkloadApi.Version, ns, WorkloadApi.Plural, "any", cancellationToken: Cancel));
        await AssertForbidden(() => asOperator.CustomObjects.CreateNamespacedCustomObjectAsync(
            Workloads.ClientCredentials(ns, "x", new Uri("https://idp.example.com/token"), "c", "creds"), WorkloadApi.Group, WorkloadApi.Version, ns, WorkloadApi.Plural, cancellationToken: Cancel));
        await AssertForbidden(() => asOperator.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Cancel));
    }

    private static async Task AssertForbidden(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(HttpStatusCode.Forbidden, error.Response.StatusCode);
    }

}
