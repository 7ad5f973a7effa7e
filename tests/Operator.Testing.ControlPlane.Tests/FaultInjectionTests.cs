using System.Text.Json.Nodes;
using k8s;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>The fault injection API. Each test uses its own control plane (faults are global).</summary>
public sealed class FaultInjectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<LocalControlPlane> StartAsync() =>
        LocalControlPlane.StartAsync(new LocalControlPlaneOptions { ApplyAtStart = [RepositoryPaths.Crds] }, Ct);

    [Fact]
    public async Task Next_writes_fail_with_the_chosen_code_then_succeed()
    {
        await using var cp = await StartAsync();
        var client = cp.CreateAdminClient();
        await client.CreateAsync(Workloads.New("f"));
        cp.Faults.FailNextWrites("remoteworkloads/status", 2, 409);

        var (code, status) = await Workloads.FailureOf(() => client.PatchStatusAsync("f", """{"status":{"phase":"Running"}}"""));
        Assert.Equal(409, code);
        Assert.Equal("Conflict", status["reason"]!.GetValue<string>());
        (code, _) = await Workloads.FailureOf(() => client.PatchStatusAsync("f", """{"status":{"phase":"Running"}}"""));
        Assert.Equal(409, code);
        var ok = await client.PatchStatusAsync("f", """{"status":{"phase":"Running"}}""");
        Assert.Equal("Running", ok["status"]!["phase"]!.GetValue<string>());

        cp.Faults.FailNextWrites("secrets", 1, 500);
        (code, status) = await Workloads.FailureOf(() => client.CoreV1.CreateNamespacedSecretAsync(new k8s.Models.V1Secret { Metadata = new k8s.Models.V1ObjectMeta { Name = "s" } }, "default", cancellationToken: Ct));
        Assert.Equal(500, code);
        Assert.Equal("InternalError", status["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Dropped_watches_end_their_streams()
    {
        await using var cp = await StartAsync();
        var client = cp.CreateAdminClient();
        await client.CreateAsync(Workloads.New("watched"));
        var closed = new TaskCompletionSource();
        var response = client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(Workloads.Group, Workloads.Version, "default", Workloads.Plural, watch: true, cancellationToken: Ct);
        var reading = Task.Run(async () =>
        {
#pragma warning disable CS0618 // The response-based WatchAsync is what the brief asks to support.
            await foreach (var _ in response.WatchAsync<JsonObject, object>(cancellationToken: Ct))
#pragma warning restore CS0618
            {
            }

            closed.TrySetResult();
        }, Ct);
        await Eventually.TrueAsync(() => Task.FromResult(cp.Store.OpenWatchCount == 1), "the watch to open");

        cp.Faults.DropWatches();

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await reading;
    }

    [Fact]
    public async Task Delayed_responses_and_refused_connections()
    {
        await using var cp = await StartAsync();
        cp.Faults.DelayResponses(TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;
        await cp.CreateAdminClient().CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(280));
        cp.Faults.Reset();

        cp.Faults.RefuseConnections(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => cp.CreateAdminClient().CoreV1.ListNamespaceAsync(cancellationToken: Ct));
        cp.Faults.Reset();
        var namespaces = await cp.CreateAdminClient().CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
    }

    [Fact]
    public async Task Aborted_watches_reset_the_connection()
    {
        await using var cp = await StartAsync();
        var client = cp.CreateAdminClient();
        await client.CreateAsync(Workloads.New("watched"));
        var failed = new TaskCompletionSource<Exception?>();
        var response = client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(Workloads.Group, Workloads.Version, "default", Workloads.Plural, watch: true, cancellationToken: Ct);
        var reading = Task.Run(async () =>
        {
            try
            {
#pragma warning disable CS0618 // The response-based WatchAsync is what the brief asks to support.
                await foreach (var _ in response.WatchAsync<JsonObject, object>(e => failed.TrySetResult(e), Ct))
#pragma warning restore CS0618
                {
                }

                failed.TrySetResult(null);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                failed.TrySetResult(e);
            }
        }, Ct);
        await Eventually.TrueAsync(() => Task.FromResult(cp.Store.OpenWatchCount == 1), "the watch to open");

        cp.Faults.DropWatches(abortConnections: true);

        var error = await failed.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await reading;
        Assert.NotNull(error);
    }
}
