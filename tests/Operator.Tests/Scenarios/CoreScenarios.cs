using System.Text;
using k8s;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// The controller scenarios that must hold on any cluster (the emulator and K3s): first token, WAF block and recovery, ceiling, invalid_grant and a new Secret, the retry annotation, deletion. Each
/// runs the real operator wiring in-process against the cluster over HTTP, with the operator's
/// ServiceAccount permissions, and a real OpenIddict server over HTTP.
/// </summary>
public abstract class CoreScenarios<TEnvironment>(TEnvironment environment) : IClassFixture<TEnvironment>
    where TEnvironment : ScenarioEnvironment
{
    protected static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    /// <summary>A tick is 10s ±10 %; recovery must come on the first one.</summary>
    protected static readonly TimeSpan OneTick = TimeSpan.FromSeconds(11) + TimeSpan.FromSeconds(6);

    protected TEnvironment Environment { get; } = environment;

    protected Kubernetes Admin => Environment.Admin;

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task secret_and_workload_applied_reach_Running_with_a_working_token()
    {
        SkipIfUnavailable();
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("s1", Cancel);
        await Environment.CreateCredentialsAsync(idp, ns, "creds", Cancel);
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel);

        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
        var workload = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);

        var ready = workload.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal("True", ready.Status);
        Assert.Equal(Reasons.TokenIssued, workload.Status.Reason);
        Assert.Equal("w-token", workload.Status.Token?.SecretName);
        Assert.NotNull(workload.Status.Token?.ExpiresAt);
        Assert.NotNull(workload.Status.Token?.LastRefreshTime);
        Assert.True(workload.Status.Token?.NextRefreshTime > workload.Status.Token?.LastRefreshTime);
        Assert.True(workload.Status.Token?.NextRefreshTime < workload.Status.Token?.ExpiresAt);

        var secret = await Workloads.GetSecretAsync(Admin, ns, "w-token", Cancel);
        Assert.NotNull(secret);
        var accessToken = Encoding.UTF8.GetString(secret.Data["access_token"]);
        Assert.True(await AccessTokens.IsValidAsync(idp.Issuer, accessToken, Cancel), "the published access token does not validate against the IdP's keys");
        Assert.Equal("Bearer", Encoding.UTF8.GetString(secret.Data["token_type"]), ignoreCase: true);
        Assert.True(DateTimeOffset.TryParse(Encoding.UTF8.GetString(secret.Data["expires_at"]), out _));
        Assert.Equal("remoteworkload-operator", secret.Metadata.Labels["app.kubernetes.io/managed-by"]);
        Assert.Equal("w", secret.Metadata.Labels["workloads.dev/workload"]);
        Assert.Equal(workload.Metadata.Uid, Assert.Single(secret.Metadata.OwnerReferences).Uid);
        Assert.DoesNotContain("refresh_token", secret.Data.Keys);

        var events = await Workloads.EventsAsync(Admin, ns, "w", Cancel);
        Assert.Equal([Reasons.TokenIssued], events.Select(e => e.Reason));
    }

    [Fact]
    public async Task WAF_block_goes_AuthRetrying_and_recovers_on_the_next_tick()
    {
        SkipIfUnavailable();
        await using var run = await Environment.StartRunningAsync("s2", null, Cancel);
        var (idp, ns, op) = (run.Idp, run.Namespace, run.Operator);
        var changesBefore = op.PhaseChanges.Count;
        var eventsBefore = (await Workloads.EventsAsync(Admin, ns, "w", Cancel)).Count;

        idp.SetFault(AuthServerFault.WafHtml403);
        await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "waf-1", Cancel);
        var retrying = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.AuthRetrying, Settle, Cancel);

        var condition = retrying.Status!.Conditions!.Single(c => c.Type == ConditionTypes.AuthRetrying);
        var authRetry = retrying.Status.AuthRetry!;
        Assert.Equal("True", condition.Status);
        Assert.Equal(authRetry.StartedAt, condition.LastTransitionTime.ToUniversalTime());
        Assert.Equal(authRetry.StartedAt!.Value.AddHours(24), authRetry.Deadline);
        Assert.Equal("False", retrying.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Status);
        Assert.Contains("403", authRetry.LastError, StringComparison.Ordinal);

        idp.SetFault(AuthServerFault.None);
        var recovered = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, OneTick, Cancel);

        Assert.Null(recovered.Status!.AuthRetry);
        Assert.Equal(
            [(WorkloadPhase?)WorkloadPhase.Running, WorkloadPhase.AuthRetrying],
            op.PhaseChanges.Skip(changesBefore).Select(c => c.From));
        Assert.Equal([WorkloadPhase.AuthRetrying, WorkloadPhase.Running], op.PhaseChanges.Skip(changesBefore).Select(c => c.To));
        var events = (await Workloads.EventsAsync(Admin, ns, "w", Cancel)).Skip(eventsBefore).Select(e => e.Reason);
        Assert.Equal([Reasons.AuthRetrying, Reasons.Recovered], events);
    }

    [Fact]
    public async Task ceiling_passes_and_the_workload_gives_up_at_the_deadline()
    {
        SkipIfUnavailable();
        var retry = new RetrySpec { TickInterval = KubeDuration.Parse("10s"), Ceiling = KubeDuration.Parse("10s") };
        await using var run = await Environment.StartRunningAsync("s3", retry, Cancel);
        var (idp, ns, op) = (run.Idp, run.Namespace, run.Operator);

        idp.SetFault(AuthServerFault.ServiceUnavailable503);
        await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "outage", Cancel);
        var retrying = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.AuthRetrying, Settle, Cancel);
        var deadline = retrying.Status!.AuthRetry!.Deadline!.Value;
        var givenUp = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Unauthenticated, OneTick, Cancel);

        Assert.Equal(Reasons.CeilingExceeded, givenUp.Status!.Reason);
        Assert.Equal(deadline, givenUp.Status.AuthRetry?.Deadline);
        var gaveUpAt = givenUp.Status.Conditions!.Single(c => c.Type == ConditionTypes.AuthRetrying).LastTransitionTime.ToUniversalTime();
        Assert.InRange(gaveUpAt, deadline, deadline.AddSeconds(3));
    }

    [Fact]
    public async Task invalid_grant_is_Unauthenticated_at_once_and_a_new_secret_value_recovers_it()
    {
        SkipIfUnavailable();
        await using var run = await Environment.StartRunningAsync("s4", null, Cancel);
        var (idp, ns, op) = (run.Idp, run.Namespace, run.Operator);

        idp.RevokeRefreshTokens(ScenarioEnvironment.ClientId);
        await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "after-revoke", Cancel);
        var rejected = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Unauthenticated, TimeSpan.FromSeconds(10), Cancel);

        Assert.Equal(Reasons.CredentialsRejected, rejected.Status!.Reason);
        Assert.Contains("invalid_grant", rejected.Status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(op.PhaseChanges, c => c.To == WorkloadPhase.AuthRetrying);

        var fresh = await idp.IssueRefreshTokenAsync(ScenarioEnvironment.ClientId, ScenarioEnvironment.ClientSecret, cancellationToken: Cancel);
        await Workloads.UpdateSecretAsync(Admin, ns, "creds", "refresh_token", fresh, Cancel);
        var running = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);

        Assert.Equal(Reasons.TokenIssued, running.Status!.Reason);
    }

    [Fact]
    public async Task retry_annotation_from_Unauthenticated_makes_one_attempt_and_is_recorded()
    {
        SkipIfUnavailable();
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("s5", Cancel);
        await Environment.CreateCredentialsAsync(idp, ns, "creds", Cancel);
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel);
        idp.SetFault(AuthServerFault.InvalidClient);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Unauthenticated, Settle, Cancel);
        idp.SetFault(AuthServerFault.None);
        var requestsBefore = idp.TokenRequestCount;

        await Workloads.AnnotateRetryAsync(Admin, ns, "w", "2026-11-24T10:00:00Z", Cancel);
        var running = await Workloads.WaitAsync(
            Admin, ns, "w", w => w.Status?.Phase == WorkloadPhase.Running && w.Status.LastHandledRetryRequest == "2026-11-24T10:00:00Z", Settle, Cancel);

        Assert.Equal(Reasons.TokenIssued, running.Status!.Reason);
        Assert.Equal(1, idp.TokenRequestCount - requestsBefore);
    }

    [Fact]
    public async Task deleting_workloads_stops_monitors_and_collects_owned_token_secrets_only()
    {
        SkipIfUnavailable();
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("s9", Cancel);
        await Workloads.CreateSecretAsync(Admin, ns, "client", new Dictionary<string, string> { ["client_secret"] = ScenarioEnvironment.ClientSecret }, Cancel);
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel);
        await Workloads.CreateAsync(Admin, Workloads.ClientCredentials(ns, "owned", idp.TokenEndpoint, ScenarioEnvironment.ClientId, "client"), Cancel);
        await Workloads.CreateAsync(Admin, Workloads.ClientCredentials(ns, "kept", idp.TokenEndpoint, ScenarioEnvironment.ClientId, "client", tokenSecret: new TokenSecretSpec { Ownership = SecretOwnership.Retain }), Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "owned", WorkloadPhase.Running, Settle, Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "kept", WorkloadPhase.Running, Settle, Cancel);
        Assert.Empty((await Workloads.GetSecretAsync(Admin, ns, "kept-token", Cancel))!.Metadata.OwnerReferences ?? []);

        await Workloads.DeleteAsync(Admin, ns, "owned", Cancel);
        await Workloads.DeleteAsync(Admin, ns, "kept", Cancel);

        await Eventually(() => Task.FromResult(op.Registry.Count == 0), "monitors stopped");
        await Eventually(async () => await Workloads.GetSecretAsync(Admin, ns, "owned-token", Cancel) is null, "owned token Secret garbage-collected");
        Assert.NotNull(await Workloads.GetSecretAsync(Admin, ns, "kept-token", Cancel));
        // A workload created after the deletions is a barrier: once it runs, the operator has processed
        // everything before it, and its token is the only request since.
        var requests = idp.TokenRequestCount;
        await Workloads.CreateAsync(Admin, Workloads.ClientCredentials(ns, "after", idp.TokenEndpoint, ScenarioEnvironment.ClientId, "client"), Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "after", WorkloadPhase.Running, Settle, Cancel);
        Assert.Equal(requests + 1, idp.TokenRequestCount);
    }

    protected void SkipIfUnavailable()
    {
        if (Environment.Unavailable is { } why)
        {
            Assert.Skip(why);
        }
    }

    protected static Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Waiting.UntilAsync(condition, what, timeout ?? Settle, Cancel);
}
