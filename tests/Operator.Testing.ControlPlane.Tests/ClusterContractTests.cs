using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>
/// KubernetesClient-level behaviour that must hold on every backend: the emulator and, when Docker is
/// available, a real K3s (skipped with the reason otherwise).
/// </summary>
public sealed class ClusterContractTests(BackendFixture backends) : IClassFixture<BackendFixture>
{
    public static TheoryData<string> Backends => [BackendFixture.Local, BackendFixture.K3s];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> NamespaceAsync(Kubernetes client)
    {
        var ns = await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { GenerateName = "contract-" } }, cancellationToken: Ct);
        return ns.Metadata.Name;
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Stale_update_is_409_and_invalid_spec_is_422(string backend)
    {
        var cluster = await backends.GetAsync(backend);
        using var client = cluster.CreateAdminClient();
        var ns = await NamespaceAsync(client);
        var created = await client.CreateAsync(Workloads.New("contract"), ns);
        var newer = created.DeepClone().AsObject();
        newer["spec"]!["url"] = "https://newer.example.com";
        await client.ReplaceAsync(newer, ns);
        created["spec"]!["url"] = "https://older.example.com";
        var (code, status) = await Workloads.FailureOf(() => client.ReplaceAsync(created, ns));
        Assert.Equal(409, code);
        Assert.Equal("Conflict", status["reason"]!.GetValue<string>());

        var invalid = Workloads.New("invalid");
        invalid["spec"]!["oauth"]!["grant"] = "Password";
        (code, status) = await Workloads.FailureOf(() => client.CreateAsync(invalid, ns));
        Assert.Equal(422, code);
        Assert.Contains(status["details"]!["causes"]!.AsArray(), c => c!["field"]!.GetValue<string>() == "spec.oauth.grant" && c["reason"]!.GetValue<string>() == "FieldValueNotSupported");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Owned_secret_is_deleted_after_its_owner(string backend)
    {
        var cluster = await backends.GetAsync(backend);
        using var client = cluster.CreateAdminClient();
        var ns = await NamespaceAsync(client);
        var owner = await client.CreateAsync(Workloads.New("owner"), ns);
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = "owner-token",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "workloads.dev/v1alpha1", Kind = "RemoteWorkload", Name = "owner", Uid = owner["metadata"]!["uid"]!.GetValue<string>(), Controller = true }],
            },
        }, ns, cancellationToken: Ct);
        await client.DeleteWorkloadAsync("owner", ns);
        await Eventually.TrueAsync(async () => (await client.CoreV1.ListNamespacedSecretAsync(ns, fieldSelector: "metadata.name=owner-token", cancellationToken: Ct)).Items.Count == 0, "garbage collection of the owned Secret", TimeSpan.FromSeconds(30));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Operator_service_account_cannot_delete_workloads(string backend)
    {
        var cluster = await backends.GetAsync(backend);
        using var admin = cluster.CreateAdminClient();
        var ns = await NamespaceAsync(admin);
        await admin.CreateAsync(Workloads.New("guarded"), ns);
        using var op = await cluster.CreateClientForAsync("remoteworkload-system", "remoteworkload-operator", Ct);
        await op.PatchStatusAsync("guarded", """{"status":{"phase":"Pending"}}""", ns);
        var (code, status) = await Workloads.FailureOf(() => op.DeleteWorkloadAsync("guarded", ns));
        Assert.Equal(403, code);
        Assert.Contains("cannot delete resource \"remoteworkloads\" in API group \"workloads.dev\"", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Watch_delivers_status_changes(string backend)
    {
        var cluster = await backends.GetAsync(backend);
        using var client = cluster.CreateAdminClient();
        var ns = await NamespaceAsync(client);
        var created = await client.CreateAsync(Workloads.New("watched"), ns);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        var seen = new TaskCompletionSource<JsonObject>();
        var reading = Task.Run(async () =>
        {
            await foreach (var (type, obj) in client.CustomObjects.WatchListNamespacedCustomObjectAsync(Workloads.Group, Workloads.Version, ns, Workloads.Plural, resourceVersion: created.Rv(), cancellationToken: cts.Token))
            {
                if (type == WatchEventType.Modified)
                {
                    seen.TrySetResult(Workloads.ToNode(obj));
                    return;
                }
            }
        }, Ct);
        await client.PatchStatusAsync("watched", """{"status":{"phase":"Running"}}""", ns);
        var modified = await seen.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.Equal("Running", modified["status"]!["phase"]!.GetValue<string>());
        await reading;
    }
}
