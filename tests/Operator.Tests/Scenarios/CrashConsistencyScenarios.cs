using System.Text;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// The token lifecycle survives everyday production events: a monitor stopped or a leader handed over while the IdP
/// has already rotated the refresh token but not yet answered, spec edits during an outage, and changes made while no
/// operator ran. Real OpenIddict server over HTTP, the operator's real wiring, the emulator.
/// </summary>
public sealed class CrashConsistencyScenarios(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    [Fact]
    public async Task A_spec_edit_during_a_held_refresh_lets_it_persist_the_rotation_and_the_next_monitor_uses_it()
    {
        await using var run = await Environment.StartRunningAsync("held-edit", null, Cancel);
        var (idp, ns) = (run.Idp, run.Namespace);
        var hold = idp.HoldNextReply();
        await Workloads.AnnotateRetryAsync(Admin, ns, "w", "refresh-now", Cancel);
        await hold.Processed.WaitAsync(Settle, Cancel);

        // A spec edit restarts the monitor while the IdP has rotated the refresh token but not answered yet.
        await EditAsync(ns, "w", w => w.Spec.Refresh = new RefreshSpec { LifetimeFraction = 0.7 });
        await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
        hold.Release();
        await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.ObservedGeneration == w.Metadata.Generation, Settle, Cancel);

        await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "after-edit", Cancel);
        await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.LastHandledRetryRequest?.StartsWith("after-edit", StringComparison.Ordinal) == true && w.Status.Phase == WorkloadPhase.Running, Settle, Cancel);
        await AssertNoRefreshTokenReusedAsync(idp, ns);
    }

    [Fact]
    public async Task A_leader_handover_during_a_held_refresh_never_presents_a_refresh_token_twice()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("held-handover", Cancel);
        await Environment.CreateCredentialsAsync(idp, ns, "creds", Cancel);
        var a = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-a", leaderElection: true, cancellationToken: Cancel);
        var b = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-b", leaderElection: true, cancellationToken: Cancel);
        try
        {
            await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
            await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);
            var (leader, standby) = a.Leadership.IsLeader ? (a, b) : (b, a);

            var hold = idp.HoldNextReply();
            await Workloads.AnnotateRetryAsync(Admin, ns, "w", "refresh-now", Cancel);
            await hold.Processed.WaitAsync(Settle, Cancel);
            var stopping = leader.StopAsync();
            await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
            Assert.False(stopping.IsCompleted, "the leader stopped before its sent request finished");
            hold.Release();
            await stopping;

            var deadline = DateTime.UtcNow + Settle;
            while (!standby.Leadership.IsLeader && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, Cancel);
            }

            Assert.True(standby.Leadership.IsLeader, "the standby did not take over");
            await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "after-handover", Cancel);
            await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.LastHandledRetryRequest?.StartsWith("after-handover", StringComparison.Ordinal) == true && w.Status.Phase == WorkloadPhase.Running && w.Status.Token?.LastRefreshTime > DateTime.UtcNow.AddSeconds(-10), Settle, Cancel);
            await AssertNoRefreshTokenReusedAsync(idp, ns);
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stop_stores_a_rotation_whose_state_Secret_write_failed_and_the_next_operator_refreshes_with_it()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("stop-store", Cancel);
        await Environment.CreateCredentialsAsync(idp, ns, "creds", Cancel);
        var first = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-a", cancellationToken: Cancel);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);

        var hold = idp.HoldNextReply();
        await Workloads.AnnotateRetryAsync(Admin, ns, "w", "refresh-now", Cancel);
        await hold.Processed.WaitAsync(Settle, Cancel);

        // The IdP has rotated the refresh token; the API server refuses the write of the successor to the state Secret
        // once, and the operator is shutting down meanwhile: the stop's own store attempt must save it.
        Environment.ControlPlane.Faults.FailNextWrites("secrets", 1, 500, ns);
        var stopping = first.StopAsync();
        hold.Release();
        await stopping;
        await first.DisposeAsync();

        await using var second = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-b", cancellationToken: Cancel);
        await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "after-stop", Cancel);
        var refreshed = await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.LastHandledRetryRequest?.StartsWith("after-stop", StringComparison.Ordinal) == true && w.Status.Token?.LastRefreshTime > DateTime.UtcNow.AddSeconds(-10), Settle, Cancel);
        Assert.Equal(WorkloadPhase.Running, refreshed.Status!.Phase);
        Assert.DoesNotContain(refreshed.Status.Conditions!, c => c.Type == ConditionTypes.RotationUnstored);
        await AssertNoRefreshTokenReusedAsync(idp, ns);
    }

    [Fact]
    public async Task A_spec_edit_while_AuthRetrying_keeps_the_retry_window_and_sends_no_request()
    {
        await using var run = await Environment.StartRunningAsync("edit-retrying", null, Cancel);
        var (idp, ns) = (run.Idp, run.Namespace);
        idp.SetFault(AuthServerFault.ServiceUnavailable503);
        await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "outage", Cancel);
        var before = (await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.AuthRetrying, Settle, Cancel)).Status!;
        var requests = idp.TokenRequestCount;

        await EditAsync(ns, "w", w => w.Spec.Refresh = new RefreshSpec { LifetimeFraction = 0.7 });
        var edited = (await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.ObservedGeneration == w.Metadata.Generation, Settle, Cancel)).Status!;

        Assert.Equal(WorkloadPhase.AuthRetrying, edited.Phase);
        Assert.Equal(before.AuthRetry!.StartedAt, edited.AuthRetry!.StartedAt);
        Assert.Equal(before.AuthRetry.Deadline, edited.AuthRetry.Deadline);
        Assert.Equal(edited.AuthRetry.StartedAt, edited.Conditions!.Single(c => c.Type == ConditionTypes.AuthRetrying).LastTransitionTime);
        Assert.Equal(requests, idp.TokenRequestCount);

        // A changed ceiling moves the deadline from the same start.
        await EditAsync(ns, "w", w => w.Spec.Retry = new RetrySpec { Ceiling = KubeDuration.Parse("48h") });
        var longer = (await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.AuthRetry?.Deadline != before.AuthRetry.Deadline, Settle, Cancel)).Status!;
        Assert.Equal(before.AuthRetry.StartedAt, longer.AuthRetry!.StartedAt);
        Assert.Equal(before.AuthRetry.StartedAt!.Value.AddHours(48), longer.AuthRetry.Deadline);
        Assert.Equal(requests, idp.TokenRequestCount);
        Assert.Single(await Workloads.EventsAsync(Admin, ns, "w", Cancel), e => e.Reason == Reasons.AuthRetrying);
    }

    [Fact]
    public async Task A_credentials_fix_made_while_no_operator_ran_is_acted_on_when_one_starts()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("fixed-while-down", Cancel);
        await Environment.CreateCredentialsAsync(idp, ns, "creds", Cancel);
        var first = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-a", cancellationToken: Cancel);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);
        idp.RevokeRefreshTokens(ScenarioEnvironment.ClientId);
        await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "revoked", Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Unauthenticated, Settle, Cancel);
        await first.DisposeAsync();

        // A person re-consents while the operator is down.
        var fresh = await idp.IssueRefreshTokenAsync(ScenarioEnvironment.ClientId, ScenarioEnvironment.ClientSecret, cancellationToken: Cancel);
        await Workloads.UpdateSecretAsync(Admin, ns, "creds", "refresh_token", fresh, Cancel);
        await using var second = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-b", cancellationToken: Cancel);

        var running = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);
        Assert.Equal(Reasons.TokenIssued, running.Status!.Reason);
    }

    [Fact]
    public async Task A_token_Secret_deleted_while_no_operator_ran_is_written_again_when_one_starts()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("deleted-while-down", Cancel);
        await Environment.CreateCredentialsAsync(idp, ns, "creds", Cancel);
        var first = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-a", cancellationToken: Cancel);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);
        await first.DisposeAsync();
        await Admin.CoreV1.DeleteNamespacedSecretAsync("w-token", ns, cancellationToken: Cancel);

        await using var second = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, "operator-b", cancellationToken: Cancel);

        var deadline = DateTime.UtcNow + Settle;
        V1Secret? secret = null;
        while (secret is null && DateTime.UtcNow < deadline)
        {
            secret = await Workloads.GetSecretAsync(Admin, ns, "w-token", Cancel);
            await Task.Delay(100, Cancel);
        }

        Assert.NotNull(secret);
        Assert.False(string.IsNullOrEmpty(Encoding.UTF8.GetString(secret.Data["access_token"])));
        await AssertNoRefreshTokenReusedAsync(idp, ns);
    }

    [Fact]
    public async Task A_second_workload_on_the_same_refresh_token_key_is_refused_naming_the_first_until_it_goes()
    {
        await using var run = await Environment.StartRunningAsync("shared-rt", null, Cancel);
        var (idp, ns) = (run.Idp, run.Namespace);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "copy", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);

        var refused = (await Workloads.WaitForPhaseAsync(Admin, ns, "copy", WorkloadPhase.Failed, Settle, Cancel)).Status!;
        Assert.Equal(Reasons.RefreshTokenInUse, refused.Reason);
        Assert.Contains("RemoteWorkload w", refused.Message, StringComparison.Ordinal);
        Assert.Equal(WorkloadPhase.Running, (await Workloads.GetAsync(Admin, ns, "w", Cancel))!.Status!.Phase);

        // The first workload spent the input token (its successor lives in its own state Secret): once it is gone,
        // the other one starts from a fresh consent, never from a token another workload used.
        var fresh = await idp.IssueRefreshTokenAsync(ScenarioEnvironment.ClientId, ScenarioEnvironment.ClientSecret, cancellationToken: Cancel);
        await Workloads.UpdateSecretAsync(Admin, ns, "creds", "refresh_token", fresh, Cancel);
        await Workloads.DeleteAsync(Admin, ns, "w", Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "copy", WorkloadPhase.Running, Settle, Cancel);
        await AssertNoRefreshTokenReusedAsync(idp, ns);
    }

    [Fact]
    public async Task A_foreign_Secret_under_the_state_Secret_name_is_a_SecretConflict_and_stays_untouched()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("foreign-state", Cancel);
        await Environment.CreateCredentialsAsync(idp, ns, "creds", Cancel);
        await Workloads.CreateSecretAsync(Admin, ns, "w-oauth-state", new Dictionary<string, string> { ["x"] = "not ours" }, Cancel);
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);

        var failed = (await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Failed, Settle, Cancel)).Status!;
        Assert.Equal(Reasons.SecretConflict, failed.Reason);
        Assert.Contains("w-oauth-state", failed.Message, StringComparison.Ordinal);
        Assert.Equal(0, idp.TokenRequestCount);
        Assert.Equal("not ours", Encoding.UTF8.GetString((await Workloads.GetSecretAsync(Admin, ns, "w-oauth-state", Cancel))!.Data["x"]));
    }

    [Fact]
    public async Task A_workload_whose_name_is_longer_than_a_label_value_reaches_Running()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("long-name", Cancel);
        await Environment.CreateCredentialsAsync(idp, ns, "creds", Cancel);
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel);
        var name = "a-workload-name-that-is-longer-than-the-sixty-three-characters-a-label-value-may-have";
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, name, idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);

        await Workloads.WaitForPhaseAsync(Admin, ns, name, WorkloadPhase.Running, Settle, Cancel);
        var token = (await Workloads.GetSecretAsync(Admin, ns, name + "-token", Cancel))!;
        Assert.Equal(name, token.Metadata.Annotations[WorkloadAnnotations.WorkloadLabel]);
        Assert.True(token.Metadata.Labels[WorkloadAnnotations.WorkloadLabel].Length <= 63);
        Assert.NotNull(await Workloads.GetSecretAsync(Admin, ns, name + "-oauth-state", Cancel));
    }

    private async Task EditAsync(string ns, string name, Action<RemoteWorkload> edit)
    {
        var workload = (await Workloads.GetAsync(Admin, ns, name, Cancel))!;
        edit(workload);
        await Admin.CustomObjects.ReplaceNamespacedCustomObjectAsync(workload, WorkloadApi.Group, WorkloadApi.Version, ns, WorkloadApi.Plural, name, cancellationToken: Cancel);
    }

    /// <summary>The IdP's reuse detection fired for no refresh token, and no request was refused as invalid_grant.</summary>
    private static Task AssertNoRefreshTokenReusedAsync(TestAuthorizationServer idp, string ns)
    {
        Assert.True(idp.ReusedRefreshTokens == 0, $"{ns}: {idp.ReusedRefreshTokens} refresh token(s) presented twice");
        Assert.Equal(0, idp.InvalidGrants);
        return Task.CompletedTask;
    }
}
