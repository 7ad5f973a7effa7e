using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// The rotated refresh token outlives its workload: what Argo CD <c>Replace=true</c>, <c>kubectl delete -f &amp;&amp;
/// kubectl apply -f</c>, a CRD reinstall and a Velero restore do to a workload must not make the re-created one present
/// the spent input token (the IdP would revoke the whole grant). Real OpenIddict server with reuse detection, the
/// operator's real wiring, the emulator with its garbage collector.
/// </summary>
public sealed class StateSecretLifetimeScenarios(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    [Fact]
    public async Task A_workload_deleted_and_applied_again_continues_from_its_rotated_refresh_token()
    {
        await using var run = await Environment.StartRunningAsync("reapply", null, Cancel);
        var (idp, ns) = (run.Idp, run.Namespace);
        var original = (await Workloads.GetAsync(Admin, ns, "w", Cancel))!;

        await DeleteAndWaitForCollectionAsync(ns);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);

        var again = await WaitForVerdictAsync(ns);
        Assert.NotEqual(original.Metadata.Uid, again.Metadata.Uid);
        Assert.Equal(WorkloadPhase.Running, again.Status!.Phase);
        AssertNoRefreshTokenReused(idp, ns);
        var state = (await Workloads.GetSecretAsync(Admin, ns, "w-oauth-state", Cancel))!;
        Assert.Equal(again.Metadata.Uid, state.Metadata.Annotations[WorkloadAnnotations.WorkloadUid]);
        Assert.False(state.Metadata.Annotations.ContainsKey(WorkloadAnnotations.OrphanedAt));
        Assert.Null(state.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task A_deleted_workloads_state_Secret_is_kept_and_marked_with_the_time_it_was_orphaned()
    {
        await using var run = await Environment.StartRunningAsync("orphaned", null, Cancel);
        var ns = run.Namespace;
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        await DeleteAndWaitForCollectionAsync(ns);

        await Eventually(
            async () => (await Workloads.GetSecretAsync(Admin, ns, "w-oauth-state", Cancel))?.Metadata.Annotations?.ContainsKey(WorkloadAnnotations.OrphanedAt) == true,
            "the state Secret was marked orphaned");
        var state = (await Workloads.GetSecretAsync(Admin, ns, "w-oauth-state", Cancel))!;
        Assert.True(DateTimeOffset.Parse(state.Metadata.Annotations[WorkloadAnnotations.OrphanedAt], System.Globalization.CultureInfo.InvariantCulture) >= before);
    }

    [Fact]
    public async Task A_restored_state_Secret_naming_the_old_workload_is_adopted_by_the_restored_workload_not_collected()
    {
        await using var run = await Environment.StartRunningAsync("restore", null, Cancel);
        var (idp, ns) = (run.Idp, run.Namespace);
        var backup = (await Workloads.GetSecretAsync(Admin, ns, "w-oauth-state", Cancel))!;

        // A namespace lost and restored from a backup: every object comes back under a new uid, the state Secret as it
        // was backed up (annotations, labels, ownerReferences and all).
        await DeleteAndWaitForCollectionAsync(ns);
        if (await Workloads.GetSecretAsync(Admin, ns, "w-oauth-state", Cancel) is not null)
        {
            await Admin.CoreV1.DeleteNamespacedSecretAsync("w-oauth-state", ns, cancellationToken: Cancel);
        }

        backup.Metadata.ResourceVersion = null;
        backup.Metadata.Uid = null;
        backup.Metadata.CreationTimestamp = null;
        backup.Metadata.ManagedFields = null;
        await Admin.CoreV1.CreateNamespacedSecretAsync(backup, ns, cancellationToken: Cancel);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);

        var restored = await WaitForVerdictAsync(ns);
        Assert.Equal(WorkloadPhase.Running, restored.Status!.Phase);
        AssertNoRefreshTokenReused(idp, ns);
        var state = (await Workloads.GetSecretAsync(Admin, ns, "w-oauth-state", Cancel))!;
        Assert.Equal(restored.Metadata.Uid, state.Metadata.Annotations[WorkloadAnnotations.WorkloadUid]);
    }

    /// <summary>Deletes workload w and waits until its owned token Secret is collected, so the garbage collector has run.</summary>
    private async Task DeleteAndWaitForCollectionAsync(string ns)
    {
        await Workloads.DeleteAsync(Admin, ns, "w", Cancel);
        await Eventually(async () => await Workloads.GetAsync(Admin, ns, "w", Cancel) is null, "the workload is gone");
        await Eventually(async () => await Workloads.GetSecretAsync(Admin, ns, "w-token", Cancel) is null, "the owned token Secret was collected");
    }

    /// <summary>The re-created workload's first outcome: a token, or a refusal.</summary>
    private async Task<RemoteWorkload> WaitForVerdictAsync(string ns) =>
        await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.Phase is WorkloadPhase.Running or WorkloadPhase.Unauthenticated or WorkloadPhase.Failed, Settle, Cancel);

    private static void AssertNoRefreshTokenReused(TestAuthorizationServer idp, string ns)
    {
        Assert.True(idp.ReusedRefreshTokens == 0, $"{ns}: {idp.ReusedRefreshTokens} refresh token(s) presented twice");
        Assert.Equal(0, idp.InvalidGrants);
    }
}
