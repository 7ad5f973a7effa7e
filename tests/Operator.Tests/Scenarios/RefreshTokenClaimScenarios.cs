using k8s;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// A rotating refresh token serves one workload: of two workloads on one Secret key, the one that claimed it first
/// keeps it, whatever their names and creation seconds say, and the other never sends it. Real OpenIddict server with
/// reuse detection, the operator's real wiring (two reconcile workers), the emulator.
/// </summary>
public sealed class RefreshTokenClaimScenarios(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    [Fact]
    public async Task Two_workloads_on_one_refresh_token_key_created_in_the_same_second_never_both_use_it()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("same-second", Cancel);
        await Environment.CreateCredentialsAsync(idp, ns, "creds", Cancel);
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel);

        // Early in a second, so both are created within it (creation timestamps are whole seconds). The first one's
        // refresh is processed by the IdP (the token rotated) but not answered while the second one appears: it has no
        // token yet, and the second one's name sorts first.
        while (DateTime.UtcNow.Millisecond > 200)
        {
            await Task.Delay(20, Cancel);
        }

        var hold = idp.HoldNextReply();
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "zeta", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
        await hold.Processed.WaitAsync(Settle, Cancel);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "alpha", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
        var refused = await Workloads.WaitAsync(Admin, ns, "alpha", w => w.Status?.Phase is not null, Settle, Cancel);
        hold.Release();

        var holder = await Workloads.WaitForPhaseAsync(Admin, ns, "zeta", WorkloadPhase.Running, Settle, Cancel);
        Assert.Equal(WorkloadPhase.Failed, refused.Status!.Phase);
        Assert.Equal(Reasons.RefreshTokenInUse, refused.Status.Reason);
        Assert.Contains("RemoteWorkload zeta", refused.Status.Message, StringComparison.Ordinal);

        // A later reconcile of the holder changes nothing: the claim is sticky.
        await Workloads.RequestAttemptAsync(Admin, ns, "zeta", idp, "again", Cancel);
        await Workloads.WaitAsync(Admin, ns, "zeta", w => w.Status?.LastHandledRetryRequest?.StartsWith("again", StringComparison.Ordinal) == true, Settle, Cancel);
        Assert.Equal(WorkloadPhase.Running, (await Workloads.GetAsync(Admin, ns, "zeta", Cancel))!.Status!.Phase);
        Assert.Equal(Reasons.RefreshTokenInUse, (await Workloads.GetAsync(Admin, ns, "alpha", Cancel))!.Status!.Reason);
        Assert.NotNull(holder.Status!.Token);
        AssertNoRefreshTokenReused(idp, ns);
    }

    [Fact]
    public async Task A_workload_refused_for_a_key_runs_as_soon_as_the_holder_moves_to_another_key()
    {
        await using var run = await Environment.StartRunningAsync("moved-key", null, Cancel);
        var (idp, ns) = (run.Idp, run.Namespace);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "copy", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "copy", WorkloadPhase.Failed, Settle, Cancel);

        // The holder gets a refresh token of its own; the key it used is spent (its successor lives in the holder's
        // state Secret), so once the holder has moved a person puts a fresh consent there for the other workload.
        await Environment.CreateCredentialsAsync(idp, ns, "creds-w", Cancel);
        const string patch = """{"spec":{"oauth":{"refreshTokenSecretRef":{"name":"creds-w","key":"refresh_token"}}}}""";
        await Admin.CustomObjects.PatchNamespacedCustomObjectAsync(new k8s.Models.V1Patch(patch, k8s.Models.V1Patch.PatchType.MergePatch), WorkloadApi.Group, WorkloadApi.Version, ns, WorkloadApi.Plural, "w", cancellationToken: Cancel);
        await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.ObservedGeneration == w.Metadata.Generation, Settle, Cancel);
        await Workloads.UpdateSecretAsync(Admin, ns, "creds", "refresh_token", await idp.IssueRefreshTokenAsync(ScenarioEnvironment.ClientId, ScenarioEnvironment.ClientSecret, cancellationToken: Cancel), Cancel);

        await Workloads.WaitForPhaseAsync(Admin, ns, "copy", WorkloadPhase.Running, Settle, Cancel);
        AssertNoRefreshTokenReused(idp, ns);
    }

    [Theory]
    [InlineData("moves-away")]
    [InlineData("is-deleted")]
    public async Task A_workload_refused_for_a_key_never_sends_the_token_its_holder_rotated_when_the_holder(string what)
    {
        await using var run = await Environment.StartRunningAsync("spent-key", null, Cancel);
        var (idp, ns) = (run.Idp, run.Namespace);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "copy", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "copy", WorkloadPhase.Failed, Settle, Cancel);

        // Nobody puts a fresh token into the key the holder w used: w rotated it (the successor is in w-oauth-state).
        if (what == "moves-away")
        {
            await Environment.CreateCredentialsAsync(idp, ns, "creds-w", Cancel);
            const string patch = """{"spec":{"oauth":{"refreshTokenSecretRef":{"name":"creds-w","key":"refresh_token"}}}}""";
            await Admin.CustomObjects.PatchNamespacedCustomObjectAsync(new k8s.Models.V1Patch(patch, k8s.Models.V1Patch.PatchType.MergePatch), WorkloadApi.Group, WorkloadApi.Version, ns, WorkloadApi.Plural, "w", cancellationToken: Cancel);
        }
        else
        {
            await Workloads.DeleteAsync(Admin, ns, "w", Cancel);
        }

        var copy = await Workloads.WaitAsync(Admin, ns, "copy", w => w.Status?.Message?.Contains("already rotated by RemoteWorkload w", StringComparison.Ordinal) == true || w.Status?.Phase is WorkloadPhase.Running or WorkloadPhase.Unauthenticated, Settle, Cancel);

        Assert.True(copy.Status!.Phase == WorkloadPhase.Failed, $"{copy.Status.Phase} {copy.Status.Reason}: {copy.Status.Message}");
        Assert.Equal(Reasons.RefreshTokenInUse, copy.Status.Reason);
        Assert.Contains("put a fresh refresh token into the key", copy.Status.Message, StringComparison.Ordinal);
        AssertNoRefreshTokenReused(idp, ns);
    }

    private static void AssertNoRefreshTokenReused(TestAuthorizationServer idp, string ns)
    {
        Assert.True(idp.ReusedRefreshTokens == 0, $"{ns}: {idp.ReusedRefreshTokens} refresh token(s) presented twice");
        Assert.Equal(0, idp.InvalidGrants);
    }
}
