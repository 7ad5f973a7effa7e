using k8s.Models;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>
/// Where the operator reads Secrets from: the informer cache while it leads, the API server otherwise. Reads may be
/// slightly behind the API server; every writer therefore writes with the resourceVersion it read and, on a conflict,
/// reads again from <see cref="GetLiveAsync"/>.
/// </summary>
public interface ISecretReader
{
    /// <summary>The Secret <paramref name="namespace"/>/<paramref name="name"/> with its data, or null when there is none.</summary>
    ValueTask<V1Secret?> GetAsync(string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>The Secret as the API server holds it now (a GET), or null when there is none.</summary>
    ValueTask<V1Secret?> GetLiveAsync(string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>Records a Secret the operator just wrote (the write's answer), so a following read is not older than the write.</summary>
    void Written(V1Secret secret);
}
