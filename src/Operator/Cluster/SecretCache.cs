using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>
/// The Secret informer: one list+watch per watched namespace (or one for all), serving the reconciler's and the
/// monitors' Secret reads from memory. It keeps the data only of Secrets that a workload references or that this
/// operator manages; of every other Secret it keeps the metadata alone (a Secret event must still be recognised),
/// and of none the managedFields or the <c>last-applied-configuration</c> annotation (which holds a copy of the data).
/// A read is answered only by the watcher of the Secret's own namespace; a namespace no watcher covers is read from
/// the API server.
/// </summary>
public sealed class SecretCache : ISecretReader
{
    private readonly LiveSecretReader _live;
    private readonly ResourceWatcher<V1Secret>? _all;
    private readonly Dictionary<string, ResourceWatcher<V1Secret>> _byNamespace = new(StringComparer.Ordinal);

    /// <param name="client">The API client.</param>
    /// <param name="namespaces">The watched namespaces; empty for all.</param>
    /// <param name="references">Which Secrets workloads reference.</param>
    /// <param name="onChange">Called for every Secret change, after the cache holds it.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">For watch failures.</param>
    public SecretCache(IKubernetes client, IReadOnlyCollection<string> namespaces, SecretReferenceIndex references, Action<WatchEventType, V1Secret> onChange, TimeProvider time, ILogger logger)
        : this(namespaces.Count == 0 ? [(null, KubernetesSources.Secrets(client, null, s => Keep(references, s)))] : [.. namespaces.Select(ns => ((string?)ns, KubernetesSources.Secrets(client, ns, s => Keep(references, s))))],
            new LiveSecretReader(client), references, onChange, time, logger)
    {
    }

    /// <param name="sources">The list+watch per namespace (null: all namespaces).</param>
    /// <param name="live">Reads from the API server, for what the cache does not hold.</param>
    /// <param name="references">Which Secrets workloads reference.</param>
    /// <param name="onChange">Called for every Secret change, after the cache holds it.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">For watch failures.</param>
    public SecretCache(IReadOnlyList<(string? Namespace, ResourceSource<V1Secret> Source)> sources, LiveSecretReader live, SecretReferenceIndex references, Action<WatchEventType, V1Secret> onChange, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(sources);
        _live = live;
        foreach (var (ns, source) in sources)
        {
            var watcher = new ResourceWatcher<V1Secret>($"secrets in {ns ?? "all namespaces"}", source, onChange, time, logger, s => Keep(references, s));
            if (ns is null)
            {
                _all = watcher;
            }
            else
            {
                _byNamespace[ns] = watcher;
            }
        }

        Watchers = _all is null ? [.. _byNamespace.Values] : [_all];
    }

    /// <summary>The informers (for sync, progress and restart counts).</summary>
    public IReadOnlyList<ResourceWatcher<V1Secret>> Watchers { get; }

    /// <summary>How many Secrets are cached, and how many of them with data (for tests and the bench).</summary>
    public (int Secrets, int WithData) Count => (Watchers.Sum(w => w.Items.Count), Watchers.Sum(w => w.Items.Count(s => s is not MetadataOnlySecret)));

    /// <summary>Every cached Secret (of the data-less ones the metadata).</summary>
    public IEnumerable<V1Secret> Items => Watchers.SelectMany(w => w.Items);

    public async ValueTask<V1Secret?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        if (WatcherOf(@namespace) is not { } watcher)
        {
            return await _live.GetLiveAsync(@namespace, name, cancellationToken).ConfigureAwait(false);
        }

        var cached = watcher.Get($"{@namespace}/{name}");
        if (cached is null || cached.Metadata.NamespaceProperty != @namespace)
        {
            return null;
        }

        if (cached is not MetadataOnlySecret)
        {
            return cached;
        }

        // Referenced since it was cached (a new or edited workload): read its data once; the cache keeps what it got.
        var live = await _live.GetLiveAsync(@namespace, name, cancellationToken).ConfigureAwait(false);
        if (live is not null)
        {
            watcher.Upsert(live);
        }

        return live;
    }

    public ValueTask<V1Secret?> GetLiveAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        _live.GetLiveAsync(@namespace, name, cancellationToken);

    public void Written(V1Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        WatcherOf(secret.Metadata.NamespaceProperty)?.Upsert(secret);
    }

    private ResourceWatcher<V1Secret>? WatcherOf(string? @namespace) =>
        _all ?? (@namespace is not null && _byNamespace.TryGetValue(@namespace, out var watcher) ? watcher : null);

    /// <summary>What the cache keeps of a received Secret (also applied to each list page as it arrives, so a page's
    /// unwanted data is garbage before the next page is read; applying it twice changes nothing).</summary>
    private static V1Secret Keep(SecretReferenceIndex references, V1Secret secret)
    {
        CachedMetadata.DropWriteHistory(secret.Metadata);
        if (secret is MetadataOnlySecret || ManagedSecrets.WorkloadOf(secret) is not null || references.IsReferenced(secret.Metadata.NamespaceProperty, secret.Metadata.Name))
        {
            return secret;
        }

        return new MetadataOnlySecret
        {
            ApiVersion = secret.ApiVersion,
            Kind = secret.Kind,
            Metadata = secret.Metadata,
            Type = secret.Type,
            Immutable = secret.Immutable,
        };
    }

    /// <summary>A cached Secret whose data was dropped (no workload referenced it when it arrived).</summary>
    private sealed record MetadataOnlySecret : V1Secret;
}
