using k8s;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Tests.Scenarios;

namespace RemoteWorkloadOperator.Tests.Cluster;

/// <summary>
/// Events on the emulator's real API, which validates Event names like kube-apiserver (ValidateObjectMeta with
/// NameIsDNSSubdomain: at most 253 characters).
/// </summary>
public sealed class EventRecorderTests(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    [Fact]
    public async Task A_workload_with_the_longest_allowed_name_gets_its_Events()
    {
        var ns = await Environment.NewNamespaceAsync("long-events", Cancel);
        // 241 characters: the longest a workload may have (its state Secret adds "-oauth-state").
        var name = string.Concat(Enumerable.Repeat("a-long-workload-name-", 12))[..240] + "z";
        var workload = new WorkloadReference(ns, name, "uid-long");
        var recorder = new EventRecorder(Admin, TimeProvider.System);

        await recorder.RecordAsync(workload, "Normal", "TokenIssued", "first", Cancel);
        await recorder.RecordAsync(workload, "Warning", "AuthRetrying", "second", Cancel);

        var events = (await Admin.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: Cancel)).Items;
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal(name, e.InvolvedObject.Name));
        Assert.All(events, e => Assert.True(e.Metadata.Name.Length <= 253, e.Metadata.Name));
        Assert.Equal(2, events.Select(e => e.Metadata.Name).Distinct().Count());
    }
}
