using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>Reads every Secret from the API server (no cache).</summary>
public sealed class LiveSecretReader(IKubernetes client) : ISecretReader
{
    public ValueTask<V1Secret?> GetAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        GetLiveAsync(@namespace, name, cancellationToken);

    public async ValueTask<V1Secret?> GetLiveAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        return await KubernetesCalls.ReadOrNullAsync(() => client.CoreV1.ReadNamespacedSecretAsync(name, @namespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public void Written(V1Secret secret)
    {
        // Nothing cached.
    }
}
