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
        // Over HTTP/2, .NET reports a connection closed during setup as a bare SocketException (not wrapped
        // in HttpRequestException as over HTTP/1.1): client code must treat both as transient.
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => cp.CreateAdminClient().CoreV1.ListNamespaceAsync(cancellationToken: Ct));
        Assert.True(refused is HttpRequestException or System.Net.Sockets.SocketException or IOException, $"unexpected {refused.GetType()}: {refused.Message}");
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

    [Fact]
    public async Task Injected_faults_answer_in_the_shapes_of_a_real_server()
    {
        await using var cp = await StartAsync();
        using var client = cp.CreateAdminClient();
        await client.CreateAsync(Workloads.New("shaped"));
        using var raw = RawClient.FromKubeconfig(cp.KubeconfigPath);
        const string workloads = "apis/workloads.dev/v1alpha1/namespaces/default/remoteworkloads";
        const string status = """{"status":{"phase":"Running"}}""";

        cp.Faults.FailNextWrites("remoteworkloads/status", 1, 429);
        var throttled = await raw.MergePatchAsync($"{workloads}/shaped/status", status);
        Assert.Equal(429, throttled.Code);
        Assert.Equal("TooManyRequests", throttled.Object["reason"]!.GetValue<string>());
        Assert.Equal(1, throttled.Object["details"]!["retryAfterSeconds"]!.GetValue<int>());
        Assert.Equal("1", throttled.RetryAfter);

        cp.Faults.FailNextWrites("remoteworkloads/status", 1, 403);
        var denied = await raw.MergePatchAsync($"{workloads}/shaped/status", status);
        Assert.Equal(403, denied.Code);
        Assert.Equal("Forbidden", denied.Object["reason"]!.GetValue<string>());
        Assert.StartsWith("remoteworkloads.workloads.dev \"shaped\" is forbidden: ", denied.Message, StringComparison.Ordinal);

        cp.Faults.FailNextWrites("remoteworkloads/status", 1, 422);
        var invalid = await raw.MergePatchAsync($"{workloads}/shaped/status", status);
        Assert.Equal(422, invalid.Code);
        Assert.Equal("Invalid", invalid.Object["reason"]!.GetValue<string>());
        Assert.NotEmpty(invalid.Causes);

        // Read faults hit get, list and watch, and leave writes alone.
        cp.Faults.FailNextReads("remoteworkloads", 3, 504);
        Assert.Equal(200, (await raw.MergePatchAsync($"{workloads}/shaped/status", status)).Code);
        var timedOut = await raw.GetAsync($"{workloads}/shaped");
        Assert.Equal(504, timedOut.Code);
        Assert.Equal("Timeout", timedOut.Object["reason"]!.GetValue<string>());
        Assert.Equal(504, (await raw.GetAsync(workloads)).Code);
        Assert.Equal(504, (await raw.GetAsync($"{workloads}?watch=true&timeoutSeconds=1")).Code);
        Assert.Equal(200, (await raw.GetAsync($"{workloads}/shaped")).Code);
    }

    [Fact]
    public async Task Lease_reads_and_renewals_can_time_out()
    {
        await using var cp = await StartAsync();
        using var client = cp.CreateAdminClient();
        var lease = await client.CoordinationV1.CreateNamespacedLeaseAsync(new k8s.Models.V1Lease { Metadata = new k8s.Models.V1ObjectMeta { Name = "leader" }, Spec = new k8s.Models.V1LeaseSpec { HolderIdentity = "a" } }, "default", cancellationToken: Ct);
        cp.Faults.FailNextReads("leases", 1, 504);
        cp.Faults.FailNextWrites("leases", 1, 504);

        var read = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoordinationV1.ReadNamespacedLeaseAsync("leader", "default", cancellationToken: Ct));
        Assert.Equal(System.Net.HttpStatusCode.GatewayTimeout, read.Response.StatusCode);
        var renew = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "leader", "default", cancellationToken: Ct));
        Assert.Equal(System.Net.HttpStatusCode.GatewayTimeout, renew.Response.StatusCode);
        lease.Spec.HolderIdentity = "b";
        var renewed = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "leader", "default", cancellationToken: Ct);
        Assert.Equal("b", renewed.Spec.HolderIdentity);
    }
}
