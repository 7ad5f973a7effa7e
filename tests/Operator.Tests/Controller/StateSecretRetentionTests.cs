using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tests.Scenarios;

namespace RemoteWorkloadOperator.Tests.Controller;

/// <summary>
/// The retention of state Secrets whose workload is gone, on the emulator's real API with a fake clock: marked when
/// first seen unclaimed, deleted once the retention has passed, and never while a workload claims it.
/// </summary>
public sealed class StateSecretRetentionTests(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(7);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task An_unclaimed_state_Secret_is_marked_then_deleted_once_the_retention_has_passed_and_a_claimed_one_is_kept()
    {
        var ns = await Environment.NewNamespaceAsync("retention", Cancel);
        await CreateStateSecretAsync(ns, "gone", "uid-gone");
        await CreateStateSecretAsync(ns, "kept", "uid-kept");
        var (retention, _) = Create();
        bool Exists(string key) => key == $"{ns}/kept";

        await retention.SweepAsync(await ListAsync(ns), Exists, Cancel);
        var marked = (await Workloads.GetSecretAsync(Admin, ns, "gone-oauth-state", Cancel))!;
        Assert.Equal(_time.GetUtcNow(), RefreshTokenStateStore.OrphanedSince(marked));

        _time.Advance(Retention - TimeSpan.FromSeconds(1));
        await retention.SweepAsync(await ListAsync(ns), Exists, Cancel);
        Assert.NotNull(await Workloads.GetSecretAsync(Admin, ns, "gone-oauth-state", Cancel));

        _time.Advance(TimeSpan.FromSeconds(1));
        await retention.SweepAsync(await ListAsync(ns), Exists, Cancel);
        Assert.Null(await Workloads.GetSecretAsync(Admin, ns, "gone-oauth-state", Cancel));
        var kept = (await Workloads.GetSecretAsync(Admin, ns, "kept-oauth-state", Cancel))!;
        Assert.Null(RefreshTokenStateStore.OrphanedSince(kept));
    }

    [Fact]
    public async Task A_state_Secret_adopted_after_the_sweep_read_it_is_not_deleted()
    {
        var ns = await Environment.NewNamespaceAsync("retention-adopted", Cancel);
        await CreateStateSecretAsync(ns, "w", "uid-old");
        var (retention, state) = Create();
        await retention.SweepAsync(await ListAsync(ns), _ => false, Cancel);
        _time.Advance(Retention);
        var stale = await ListAsync(ns);

        // A workload of the same name is applied again between the sweep's read and its delete.
        await state.AdoptAsync(new WorkloadReference(ns, "w", "uid-new"), Cancel);
        await retention.SweepAsync(stale, _ => false, Cancel);

        var adopted = (await Workloads.GetSecretAsync(Admin, ns, "w-oauth-state", Cancel))!;
        Assert.Equal("uid-new", adopted.Metadata.Annotations[WorkloadAnnotations.WorkloadUid]);
        Assert.Null(RefreshTokenStateStore.OrphanedSince(adopted));
    }

    private (StateSecretRetention Retention, RefreshTokenStateStore State) Create()
    {
        var state = new RefreshTokenStateStore(Admin, new LiveSecretReader(Admin));
        return (new StateSecretRetention(state, Retention, _time, NullLogger.Instance), state);
    }

    private async Task<IReadOnlyList<V1Secret>> ListAsync(string ns) =>
        (await Admin.CoreV1.ListNamespacedSecretAsync(ns, cancellationToken: Cancel)).Items.ToList();

    private Task CreateStateSecretAsync(string ns, string workload, string uid)
    {
        var annotations = ManagedSecrets.Annotations(workload);
        annotations[WorkloadAnnotations.WorkloadUid] = uid;
        return Admin.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = RefreshTokenStateStore.SecretName(workload), Labels = ManagedSecrets.Labels(workload), Annotations = annotations },
                StringData = new Dictionary<string, string> { ["refresh_token"] = "rotated", ["descends_from"] = "lineage" },
            },
            ns,
            cancellationToken: Cancel);
    }
}
