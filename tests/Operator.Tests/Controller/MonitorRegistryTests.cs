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
/// The agents of workloads replaced under their name: the successor's monitor never overlaps the predecessor's request
/// in flight. The registry writes status and Events to the emulator's real API; the IdP is scripted and holds its answer.
/// </summary>
public sealed class MonitorRegistryTests(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    [Fact]
    public async Task A_workload_re_created_before_its_deletion_is_seen_never_has_two_requests_in_flight()
    {
        var ns = await Environment.NewNamespaceAsync("registry", Cancel);
        await Workloads.CreateAsync(Admin, Workloads.ClientCredentials(ns, "w", new Uri("https://idp.example.com/token"), "c", "creds"), Cancel);
        var old = (await Workloads.GetAsync(Admin, ns, "w", Cancel))!;
        var idp = new ScriptedTokenClient(new FakeTimeProvider(DateTimeOffset.UtcNow)) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        idp.Fallback = () => idp.Token(TimeSpan.FromHours(1));
        var registry = new MonitorRegistry(new StatusWriter(Admin), new EventRecorder(Admin, TimeProvider.System), TimeProvider.System, NullLoggerFactory.Instance);
        var factory = new TokenMonitorFactory(idp, TimeProvider.System, new FixedJitter(), NullLogger.Instance);
        try
        {
            var first = await registry.GetOrCreateAsync(old, Cancel);
            await first.EnsureAsync(Desired(old, first), factory, Cancel);
            await Eventually(() => idp.InFlight == 1, "the first monitor's request is in flight");

            // The same name under a new uid, reconciled before the Deleted event of the old one arrived.
            var recreated = Copy(old, "uid-recreated");
            var successor = registry.GetOrCreateAsync(recreated, Cancel);

            Assert.False(successor.IsCompleted, "the successor's agent was handed out while the old monitor's request was in flight");
            idp.Gate.SetResult();
            var next = await successor;
            await next.EnsureAsync(Desired(recreated, next), factory, Cancel);
            await Eventually(() => idp.Count == 2, "the successor's monitor sends its first request");

            Assert.Equal(1, idp.MaxInFlight);
            Assert.False(first.IsMonitoring);
            Assert.NotSame(first, next);
        }
        finally
        {
            idp.Gate.TrySetResult();
            await registry.StopAllAsync();
        }
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
            MonitorConfigBuilder.Build(workload, RetryPolicy.Default, TimeSpan.Zero),
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
