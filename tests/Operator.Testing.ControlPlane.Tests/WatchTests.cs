using System.Text.Json.Nodes;
using k8s;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>Watch semantics through KubernetesClient's WatchAsync.</summary>
public sealed class WatchTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    private readonly Kubernetes _client = fixture.ControlPlane.CreateAdminClient();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> NewNamespaceAsync()
    {
        var ns = await _client.CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new k8s.Models.V1ObjectMeta { GenerateName = "watch-" } }, cancellationToken: Ct);
        return ns.Metadata.Name;
    }

    private IAsyncEnumerable<(WatchEventType Type, JsonObject Object)> Watch(string ns, string? resourceVersion, List<Exception> errors, CancellationToken token, bool bookmarks = false, int? timeoutSeconds = null)
    {
        var response = _client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(
            Workloads.Group, Workloads.Version, ns, Workloads.Plural,
            allowWatchBookmarks: bookmarks, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, watch: true, cancellationToken: token);
#pragma warning disable CS0618 // The operator may use the (obsolete) response-based WatchAsync; it must work.
        return response.WatchAsync<JsonObject, object>(errors.Add, token);
#pragma warning restore CS0618
    }

    private static async Task<List<(WatchEventType Type, JsonObject Object)>> CollectAsync(IAsyncEnumerable<(WatchEventType, JsonObject)> events, int count, TimeSpan timeout)
    {
        var result = new List<(WatchEventType, JsonObject)>();
        using var deadline = new CancellationTokenSource(timeout);
        await using var enumerator = events.GetAsyncEnumerator(deadline.Token);
        while (result.Count < count && await enumerator.MoveNextAsync())
        {
            result.Add(enumerator.Current);
        }

        return result;
    }

    [Fact]
    public async Task Watch_without_resource_version_starts_with_ADDED_then_streams_changes()
    {
        var ns = await NewNamespaceAsync();
        await _client.CreateAsync(Workloads.New("existing"), ns);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var errors = new List<Exception>();
        var openBefore = fixture.ControlPlane.Store.OpenWatchCount;
        var collecting = CollectAsync(Watch(ns, null, errors, cts.Token), 4, TimeSpan.FromSeconds(15));

        await Eventually.TrueAsync(() => Task.FromResult(fixture.ControlPlane.Store.OpenWatchCount > openBefore), "the watch to open");
        await _client.CreateAsync(Workloads.New("second"), ns);
        await _client.PatchStatusAsync("second", """{"status":{"phase":"Running"}}""", ns);
        await _client.DeleteWorkloadAsync("existing", ns);

        var events = await collecting;
        await cts.CancelAsync();
        Assert.Equal(
            [(WatchEventType.Added, "existing"), (WatchEventType.Added, "second"), (WatchEventType.Modified, "second"), (WatchEventType.Deleted, "existing")],
            events.Select(e => (e.Type, e.Object["metadata"]!["name"]!.GetValue<string>())));
        Assert.Equal("Running", events[2].Object["status"]!["phase"]!.GetValue<string>());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Watch_resumes_after_a_resource_version()
    {
        var ns = await NewNamespaceAsync();
        var first = await _client.CreateAsync(Workloads.New("r1"), ns);
        await _client.CreateAsync(Workloads.New("r2"), ns);
        await _client.PatchStatusAsync("r1", """{"status":{"phase":"Pending"}}""", ns);

        var errors = new List<Exception>();
        var events = await CollectAsync(Watch(ns, first.Rv(), errors, Ct), 2, TimeSpan.FromSeconds(10));

        Assert.Equal([(WatchEventType.Added, "r2"), (WatchEventType.Modified, "r1")], events.Select(e => (e.Type, e.Object["metadata"]!["name"]!.GetValue<string>())));
    }

    [Fact]
    public async Task Idle_watch_with_allowWatchBookmarks_gets_BOOKMARK_events()
    {
        var ns = await NewNamespaceAsync();
        var created = await _client.CreateAsync(Workloads.New("b1"), ns);
        var errors = new List<Exception>();
        var events = await CollectAsync(Watch(ns, created.Rv(), errors, Ct, bookmarks: true), 1, TimeSpan.FromSeconds(10));
        var bookmark = Assert.Single(events);
        Assert.Equal(WatchEventType.Bookmark, bookmark.Type);
        Assert.True(long.Parse(bookmark.Object.Rv(), System.Globalization.CultureInfo.InvariantCulture) >= long.Parse(created.Rv(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Watch_from_a_compacted_version_gets_410_Expired()
    {
        var ns = await NewNamespaceAsync();
        var created = await _client.CreateAsync(Workloads.New("old"), ns);
        fixture.ControlPlane.Faults.CompactHistory();

        var errors = new List<Exception>();
        var events = await CollectAsync(Watch(ns, created.Rv(), errors, Ct), 1, TimeSpan.FromSeconds(10));

        Assert.Empty(events);
        var error = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, error.Status.Code);
        Assert.Equal("Expired", error.Status.Reason);
        Assert.StartsWith("too old resource version: ", error.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_ends_after_timeoutSeconds()
    {
        var ns = await NewNamespaceAsync();
        var started = DateTime.UtcNow;
        await _client.CreateAsync(Workloads.New("t1"), ns);
        var errors = new List<Exception>();
        var events = await CollectAsync(Watch(ns, null, errors, Ct, timeoutSeconds: 1), 10, TimeSpan.FromSeconds(10));
        Assert.Equal(WatchEventType.Added, Assert.Single(events).Type);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Label_selector_watch_turns_a_label_change_into_DELETED()
    {
        var ns = await NewNamespaceAsync();
        var body = Workloads.New("labelled");
        body["metadata"]!["labels"] = new JsonObject { ["app"] = "x" };
        var created = await _client.CreateAsync(body, ns);
        var response = _client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(Workloads.Group, Workloads.Version, ns, Workloads.Plural, labelSelector: "app=x", resourceVersion: created.Rv(), watch: true, cancellationToken: Ct);
#pragma warning disable CS0618 // Exercise the response-based WatchAsync too.
        var collecting = CollectAsync(response.WatchAsync<JsonObject, object>(cancellationToken: Ct), 1, TimeSpan.FromSeconds(10));
#pragma warning restore CS0618
        await _client.PatchAsync("labelled", """{"metadata":{"labels":{"app":"y"}}}""", k8s.Models.V1Patch.PatchType.MergePatch, ns);
        var events = await collecting;
        Assert.Equal(WatchEventType.Deleted, Assert.Single(events).Type);
    }

    [Fact]
    public async Task WatchListNamespacedCustomObjectAsync_streams_events()
    {
        var ns = await NewNamespaceAsync();
        var created = await _client.CreateAsync(Workloads.New("w1"), ns);
        var events = new List<(WatchEventType, object)>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        var reading = Task.Run(async () =>
        {
            await foreach (var e in _client.CustomObjects.WatchListNamespacedCustomObjectAsync(Workloads.Group, Workloads.Version, ns, Workloads.Plural, resourceVersion: created.Rv(), cancellationToken: cts.Token))
            {
                events.Add(e);
                break;
            }
        }, Ct);
        await _client.PatchStatusAsync("w1", """{"status":{"phase":"Failed"}}""", ns);
        await reading;
        Assert.Equal(WatchEventType.Modified, Assert.Single(events).Item1);
    }
}
