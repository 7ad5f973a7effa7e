using k8s;
using RemoteWorkloadOperator.Testing.ControlPlane.Clusters;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

/// <summary>Starts each cluster backend once (lazily) with the repository's CRD and RBAC installed.</summary>
public sealed class BackendFixture : IAsyncDisposable
{
    public const string Local = "local";
    public const string K3s = "k3s";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, IKubernetesTestCluster> _clusters = [];
    private string? _k3sFailure;

    /// <summary>The cluster for a backend; skips the calling test when the backend cannot run here.</summary>
    public async Task<IKubernetesTestCluster> GetAsync(string backend)
    {
        if (backend == K3s && K3sCluster.DockerUnavailableReason() is { } reason)
        {
            Assert.Skip($"K3s backend skipped: {reason}");
        }

        await _gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_k3sFailure is not null && backend == K3s)
            {
                Assert.Skip($"K3s backend skipped: {_k3sFailure}");
            }

            if (!_clusters.TryGetValue(backend, out var cluster))
            {
                cluster = backend == Local ? await LocalControlPlane.StartAsync() : await StartK3sAsync();
                await cluster.ApplyDirectoryAsync(RepositoryPaths.Crds);
                await WaitForCrdAsync(cluster);
                await cluster.ApplyDirectoryAsync(RepositoryPaths.Rbac);
                _clusters[backend] = cluster;
            }

            return cluster;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IKubernetesTestCluster> StartK3sAsync()
    {
        try
        {
            return await K3sCluster.StartAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _k3sFailure = $"K3s container did not start: {e.GetType().Name}: {e.Message}";
            Assert.Skip(_k3sFailure);
            throw;
        }
    }

    private static async Task WaitForCrdAsync(IKubernetesTestCluster cluster)
    {
        using var client = cluster.CreateAdminClient();
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await client.CustomObjects.ListNamespacedCustomObjectAsync(Workloads.Group, Workloads.Version, "default", Workloads.Plural);
                return true;
            }
            catch (k8s.Autorest.HttpOperationException)
            {
                return false;
            }
        }, "the CRD to be served", TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var cluster in _clusters.Values)
        {
            await cluster.DisposeAsync();
        }

        _gate.Dispose();
    }
}
