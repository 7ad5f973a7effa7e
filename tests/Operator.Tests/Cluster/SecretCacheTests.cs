using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Tests.Cluster;

public sealed class SecretCacheTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Never reached by these tests: every read they make is answered by the cache.</summary>
    private static LiveSecretReader Unreachable => new(new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:9" }));

    private static V1Secret Secret(string ns, string name, string resourceVersion = "1", Dictionary<string, string>? labels = null, Dictionary<string, string>? annotations = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            ResourceVersion = resourceVersion,
            Labels = labels,
            Annotations = annotations,
            ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl", Operation = "Update" }],
        },
        Type = "Opaque",
        Data = new Dictionary<string, byte[]> { ["client_secret"] = Encoding.UTF8.GetBytes("s3cret") },
    };

    private static RemoteWorkload Referencing(string ns, string secret) => new()
    {
        Metadata = new V1ObjectMeta { Name = "w", NamespaceProperty = ns },
        Spec = new RemoteWorkloadSpec { Url = "https://api.example.com/", OAuth = new OAuthSpec { ClientId = "c", ClientSecretRef = new SecretKeyReference { Name = secret, Key = "client_secret" } } },
    };

    private static async Task<(SecretCache Cache, FakeSource Source, List<string> Events)> StartAsync(SecretReferenceIndex index, string? ns, params V1Secret[] listed)
    {
        var source = new FakeSource(listed);
        var events = new List<string>();
        var cache = new SecretCache([(ns, source.Source)], Unreachable, index, (type, s) => { lock (events) { events.Add($"{type} {s.Metadata.NamespaceProperty}/{s.Metadata.Name}"); } }, TimeProvider.System, NullLogger.Instance);
        _ = cache.Watchers[0].RunAsync(Cancel);
        await cache.Watchers[0].Synced.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        return (cache, source, events);
    }

    [Fact]
    public async Task A_secret_of_another_namespace_is_never_served()
    {
        var index = new SecretReferenceIndex();
        index.Set("a/w", Referencing("a", "creds"));
        index.Set("b/w", Referencing("b", "creds"));
        var (cache, _, _) = await StartAsync(index, null, Secret("a", "creds"));

        Assert.NotNull(await cache.GetAsync("a", "creds", Cancel));
        Assert.Null(await cache.GetAsync("b", "creds", Cancel));
    }

    [Fact]
    public async Task A_namespaced_cache_answers_only_for_its_namespace_from_memory()
    {
        var index = new SecretReferenceIndex();
        index.Set("a/w", Referencing("a", "creds"));
        var source = new FakeSource([Secret("a", "creds")]);
        var other = new FakeSource([Secret("b", "creds")]);
        var cache = new SecretCache([("a", source.Source), ("b", other.Source)], Unreachable, index, (_, _) => { }, TimeProvider.System, NullLogger.Instance);
        foreach (var watcher in cache.Watchers)
        {
            _ = watcher.RunAsync(Cancel);
            await watcher.Synced.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        }

        Assert.Equal("a", (await cache.GetAsync("a", "creds", Cancel))!.Metadata.NamespaceProperty);
        Assert.Null(await cache.GetAsync("a", "missing", Cancel));
    }

    [Fact]
    public async Task Only_referenced_and_managed_secrets_keep_their_data_and_none_keeps_managed_fields_or_the_applied_copy()
    {
        var index = new SecretReferenceIndex();
        index.Set("a/w", Referencing("a", "creds"));
        var applied = new Dictionary<string, string> { ["kubectl.kubernetes.io/last-applied-configuration"] = "{\"data\":{\"client_secret\":\"czNjcmV0\"}}" };
        var (cache, _, _) = await StartAsync(
            index,
            "a",
            Secret("a", "creds", annotations: new Dictionary<string, string>(applied)),
            Secret("a", "w-token", labels: ManagedSecrets.Labels("w"), annotations: ManagedSecrets.Annotations("w")),
            Secret("a", "unrelated", annotations: new Dictionary<string, string>(applied)));

        Assert.Equal((3, 2), cache.Count);
        var watcher = cache.Watchers[0];
        var unrelated = watcher.Get("a/unrelated")!;
        Assert.Null(unrelated.Data);
        Assert.Empty(unrelated.Metadata.Annotations!);
        var creds = watcher.Get("a/creds")!;
        Assert.Equal("s3cret", Encoding.UTF8.GetString(creds.Data["client_secret"]));
        Assert.Empty(creds.Metadata.Annotations!);
        Assert.All(watcher.Items, s => Assert.Null(s.Metadata.ManagedFields));
        Assert.NotNull(watcher.Get("a/w-token")!.Data);
    }

    [Fact]
    public async Task A_write_is_visible_at_once_and_a_late_older_version_does_not_replace_it()
    {
        var index = new SecretReferenceIndex();
        index.Set("a/w", Referencing("a", "creds"));
        var (cache, _, _) = await StartAsync(index, "a", Secret("a", "creds", "5"));

        cache.Written(Secret("a", "creds", "9"));
        Assert.Equal("9", (await cache.GetAsync("a", "creds", Cancel))!.Metadata.ResourceVersion);

        cache.Written(Secret("a", "creds", "7"));
        Assert.Equal("9", (await cache.GetAsync("a", "creds", Cancel))!.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_watched_change_reaches_the_cache_before_the_callback()
    {
        var index = new SecretReferenceIndex();
        index.Set("a/w", Referencing("a", "creds"));
        var (cache, source, events) = await StartAsync(index, "a", Secret("a", "creds", "1"));
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var changed = Secret("a", "creds", "2");
        changed.Data["client_secret"] = Encoding.UTF8.GetBytes("rotated");

        await source.Events.Writer.WriteAsync((WatchEventType.Modified, changed), Cancel);
        await WaitUntilAsync(() => events.Contains("Modified a/creds"));

        var read = await cache.GetAsync("a", "creds", Cancel);
        Assert.Equal("rotated", Encoding.UTF8.GetString(read!.Data["client_secret"]));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>A list of fixed Secrets, then a watch fed by the test.</summary>
    private sealed class FakeSource(IList<V1Secret> listed)
    {
        public Channel<(WatchEventType, V1Secret)> Events { get; } = Channel.CreateUnbounded<(WatchEventType, V1Secret)>();

        public ResourceSource<V1Secret> Source => new(
            _ => Task.FromResult((listed, "1")),
            (_, _, cancellationToken) => ReadAsync(cancellationToken));

        private async IAsyncEnumerable<(WatchEventType, V1Secret)> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var item in Events.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
    }
}
