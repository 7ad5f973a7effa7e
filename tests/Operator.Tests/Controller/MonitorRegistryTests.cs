using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tests.Scenarios;
using RemoteWorkloadOperator.Tests.Tokens;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Controller;

/// <summary>
/// The agents of workloads replaced under their name or edited: the successor's monitor never overlaps the
/// predecessor's request in flight, and no reconcile worker waits for that request. The registry writes status and Events to the emulator's real API; the IdP is scripted and holds its answer.
/// </summary>
public sealed class MonitorRegistryTests(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    [Fact]
    public async Task A_workload_re_created_before_its_deletion_is_seen_gets_its_monitor_only_after_the_old_request_ended_and_no_worker_waits()
    {
        var (ns, old) = await CreateWorkloadAsync("registry");
        var (idp, registry, factory, requeued) = Create();
        try
        {
            var first = registry.GetOrCreate(old)!;
            await first.EnsureAsync(Desired(old, first), factory, Cancel).WaitAsync(Settle, Cancel);
            await Eventually(() => idp.InFlight == 1, "the first monitor's request is in flight");

            // The same name under a new uid, reconciled before the Deleted event of the old one arrived: no agent yet,
            // and the worker is not held while the old request finishes.
            var recreated = Copy(old, "uid-recreated");
            Assert.Null(registry.GetOrCreate(recreated));
            Assert.Null(registry.GetOrCreate(recreated));
            Assert.Empty(requeued);

            idp.Gate!.SetResult();
            await Eventually(() => requeued.Contains($"{ns}/w"), "the key is queued again once the old monitor stopped");
            var next = registry.GetOrCreate(recreated)!;
            await next.EnsureAsync(Desired(recreated, next), factory, Cancel).WaitAsync(Settle, Cancel);
            await Eventually(() => idp.Count == 2, "the successor's monitor sends its first request");

            Assert.Equal(1, idp.MaxInFlight);
            Assert.False(first.IsMonitoring);
            Assert.NotSame(first, next);
        }
        finally
        {
            idp.Gate?.TrySetResult();
            await registry.StopAllAsync();
        }
    }

    [Fact]
    public async Task A_spec_edit_during_a_request_in_flight_returns_the_worker_and_restarts_the_monitor_after_the_request()
    {
        var (ns, workload) = await CreateWorkloadAsync("registry-edit");
        var (idp, registry, factory, requeued) = Create();
        try
        {
            var agent = registry.GetOrCreate(workload)!;
            await agent.EnsureAsync(Desired(workload, agent), factory, Cancel).WaitAsync(Settle, Cancel);
            await Eventually(() => idp.InFlight == 1, "the monitor's request is in flight");

            // A new generation: the reconcile returns while the old monitor's request is still held by the IdP.
            var edited = Copy(workload, workload.Metadata.Uid);
            edited.Metadata.Generation = workload.Metadata.Generation + 1;
            await agent.EnsureAsync(Desired(edited, agent), factory, Cancel).WaitAsync(Settle, Cancel);
            Assert.False(agent.IsMonitoring);
            Assert.True(agent.IsStopping);

            idp.Gate!.SetResult();
            await Eventually(() => requeued.Contains($"{ns}/w"), "the key is queued again once the old monitor stopped");
            await agent.EnsureAsync(Desired(edited, agent), factory, Cancel).WaitAsync(Settle, Cancel);
            Assert.True(agent.IsMonitoring);
            Assert.Equal(1, idp.MaxInFlight);
        }
        finally
        {
            idp.Gate?.TrySetResult();
            await registry.StopAllAsync();
        }
    }

    [Fact]
    public async Task Removing_a_deleted_workloads_agent_does_not_wait_for_its_request_in_flight()
    {
        var (ns, workload) = await CreateWorkloadAsync("registry-delete");
        var (idp, registry, factory, requeued) = Create();
        try
        {
            var agent = registry.GetOrCreate(workload)!;
            await agent.EnsureAsync(Desired(workload, agent), factory, Cancel).WaitAsync(Settle, Cancel);
            await Eventually(() => idp.InFlight == 1, "the monitor's request is in flight");

            var removed = registry.RemoveAsync($"{ns}/w");

            Assert.False(removed.IsCompleted);
            Assert.Equal(0, registry.Count);
            idp.Gate!.SetResult();
            await removed.WaitAsync(Settle, Cancel);
            Assert.False(agent.IsMonitoring);
        }
        finally
        {
            idp.Gate?.TrySetResult();
            await registry.StopAllAsync();
        }
    }

    private async Task<(string Namespace, RemoteWorkload Workload)> CreateWorkloadAsync(string prefix)
    {
        var ns = await Environment.NewNamespaceAsync(prefix, Cancel);
        await Workloads.CreateAsync(Admin, Workloads.ClientCredentials(ns, "w", new Uri("https://idp.example.com/token"), "c", "creds"), Cancel);
        return (ns, (await Workloads.GetAsync(Admin, ns, "w", Cancel))!);
    }

    private (ScriptedTokenClient Idp, MonitorRegistry Registry, TokenMonitorFactory Factory, System.Collections.Concurrent.ConcurrentBag<string> Requeued) Create()
    {
        var idp = new ScriptedTokenClient(new FakeTimeProvider(DateTimeOffset.UtcNow)) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        idp.Fallback = () => idp.Token(TimeSpan.FromHours(1));
        var requeued = new System.Collections.Concurrent.ConcurrentBag<string>();
        var registry = new MonitorRegistry(new StatusWriter(Admin), new EventRecorder(Admin, TimeProvider.System), TimeProvider.System, NullLoggerFactory.Instance) { Requeue = requeued.Add };
        return (idp, registry, new TokenMonitorFactory(idp, TimeProvider.System, new FixedJitter(), NullLogger.Instance), requeued);
    }

    private static RemoteWorkload Copy(RemoteWorkload workload, string uid)
    {
        var copy = k8s.KubernetesJson.Deserialize<RemoteWorkload>(k8s.KubernetesJson.Serialize(workload));
        copy.Metadata.Uid = uid;
        copy.Status = null;
        return copy;
    }

    private DesiredMonitor Desired(RemoteWorkload workload, WorkloadAgent agent)
    {
        var reference = WorkloadReference.From(workload);
        var publisher = new KubernetesTokenPublisher(new TokenSecretWriter(Admin, new LiveSecretReader(Admin)), reference, "w-token", owned: false);
        var ports = new RecordingPorts([]);
        return new DesiredMonitor(
            MonitorConfigBuilder.Build(workload, RetryPolicy.Default, new MonitorTiming { StartupSpread = TimeSpan.Zero }),
            workload.Metadata.Generation,
            "v1",
            "creds@1",
            "identity",
            RetryRequest: null,
            TokenSecretPresent: false,
            RefreshTokenFence: null,
            publisher,
            new TokenMonitorPorts(new FakeCredentials { RefreshToken = null }, ports, publisher, agent.Status));
    }
}
