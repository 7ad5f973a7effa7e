using k8s;
using k8s.Models;

namespace RemoteWorkloadOperator.Runtime;

/// <summary>
/// How a <see cref="ResourceWatcher{T}"/> lists and watches one kind: two calls against the
/// API server, kept apart from the informer logic so it can be tested against any source.
/// </summary>
/// <param name="List">Lists every object; returns them with the list's resourceVersion.</param>
/// <param name="Watch">Watches from a resourceVersion with bookmarks; Status events go to the error callback.</param>
public sealed record ResourceSource<T>(
    Func<CancellationToken, Task<(IList<T> Items, string ResourceVersion)>> List,
    Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Item)>> Watch)
    where T : IKubernetesObject<V1ObjectMeta>;
