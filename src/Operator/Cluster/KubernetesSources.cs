using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Cluster;

// The typed WatchAsync over a list call is marked obsolete in favour of untyped per-kind
// helpers (which yield JsonElement for custom objects); it is still the one typed path.
#pragma warning disable CS0618

/// <summary>The list/watch calls of the kinds the operator watches, for all namespaces or one.</summary>
public static class KubernetesSources
{
    /// <summary>Watches end after a random 5–10 minutes, so reconnects of many replicas do not line up.</summary>
    private static int WatchTimeoutSeconds() =>
#pragma warning disable CA5394 // Spreading, not security.
        300 + Random.Shared.Next(300);
#pragma warning restore CA5394

    /// <summary>RemoteWorkloads in <paramref name="namespace"/>, or in all namespaces when null.</summary>
    public static ResourceSource<RemoteWorkload> RemoteWorkloads(IKubernetes client, string? @namespace) => new(
        async cancellationToken =>
        {
            var list = @namespace is null
                ? await client.CustomObjects.ListClusterCustomObjectAsync<RemoteWorkloadList>(
                    WorkloadApi.Group, WorkloadApi.Version, WorkloadApi.Plural, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await client.CustomObjects.ListNamespacedCustomObjectAsync<RemoteWorkloadList>(
                    WorkloadApi.Group, WorkloadApi.Version, @namespace, WorkloadApi.Plural, cancellationToken: cancellationToken).ConfigureAwait(false);
            return (list.Items, list.Metadata.ResourceVersion);
        },
        (resourceVersion, onError, cancellationToken) => (@namespace is null
                ? client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync(
                    WorkloadApi.Group, WorkloadApi.Version, WorkloadApi.Plural, allowWatchBookmarks: true, resourceVersion: resourceVersion,
                    timeoutSeconds: WatchTimeoutSeconds(), watch: true, cancellationToken: cancellationToken)
                : client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(
                    WorkloadApi.Group, WorkloadApi.Version, @namespace, WorkloadApi.Plural, allowWatchBookmarks: true, resourceVersion: resourceVersion,
                    timeoutSeconds: WatchTimeoutSeconds(), watch: true, cancellationToken: cancellationToken))
            .WatchAsync<RemoteWorkload, object>(onError, cancellationToken));

    /// <summary>
    /// How many Secrets one list page carries. Secrets are the one kind whose objects can be large (up to 1 MiB each):
    /// an unpaginated list of a big cluster is deserialised whole, with every Secret's data, at start, at every
    /// leadership term and after every 410. A page of 100 Secrets of 100 KB is 10 MB, and each page's unwanted data is
    /// dropped before the next is read (client-go's reflector pages too, with 500 objects).
    /// </summary>
    public const int SecretListPageSize = 100;

    /// <summary>Secrets in <paramref name="namespace"/>, or in all namespaces when null, listed in pages (limit and
    /// continue, served from one snapshot by the API server); <paramref name="keep"/> trims each Secret as its page arrives.</summary>
    public static ResourceSource<V1Secret> Secrets(IKubernetes client, string? @namespace, Func<V1Secret, V1Secret>? keep = null) => new(
        async cancellationToken =>
        {
            var items = new List<V1Secret>();
            string? next = null;
            string resourceVersion;
            do
            {
                // An expired continue token (410) fails the list; the watcher lists again from the start.
                var page = @namespace is null
                    ? await client.CoreV1.ListSecretForAllNamespacesAsync(continueParameter: next, limit: SecretListPageSize, cancellationToken: cancellationToken).ConfigureAwait(false)
                    : await client.CoreV1.ListNamespacedSecretAsync(@namespace, continueParameter: next, limit: SecretListPageSize, cancellationToken: cancellationToken).ConfigureAwait(false);
                items.AddRange(keep is null ? page.Items : page.Items.Select(keep));
                next = page.Metadata.ContinueProperty;
                resourceVersion = page.Metadata.ResourceVersion;
            }
            while (!string.IsNullOrEmpty(next));

            return (items, resourceVersion);
        },
        (resourceVersion, onError, cancellationToken) => (@namespace is null
                ? client.CoreV1.ListSecretForAllNamespacesWithHttpMessagesAsync(
                    allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: WatchTimeoutSeconds(), watch: true, cancellationToken: cancellationToken)
                : client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(
                    @namespace, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: WatchTimeoutSeconds(), watch: true, cancellationToken: cancellationToken))
            .WatchAsync<V1Secret, V1SecretList>(onError, cancellationToken));
}
#pragma warning restore CS0618
