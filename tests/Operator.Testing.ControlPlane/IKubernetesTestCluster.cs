using k8s;

namespace RemoteWorkloadOperator.Testing.ControlPlane;

/// <summary>
/// What scenario tests need from a cluster, whichever backend provides it: the in-process
/// <see cref="LocalControlPlane"/> or a K3s container (<see cref="Clusters.K3sCluster"/>).
/// </summary>
public interface IKubernetesTestCluster : IAsyncDisposable
{
    /// <summary>A kubeconfig file with cluster-admin credentials.</summary>
    string KubeconfigPath { get; }

    /// <summary>A client with cluster-admin credentials.</summary>
    Kubernetes CreateAdminClient();

    /// <summary>A kubeconfig file authenticating as a ServiceAccount (created if missing).</summary>
    Task<string> WriteServiceAccountKubeconfigAsync(string ns, string name, CancellationToken cancellationToken = default);

    /// <summary>A client authenticating as a ServiceAccount (created if missing).</summary>
    Task<Kubernetes> CreateClientForAsync(string ns, string name, CancellationToken cancellationToken = default);

    /// <summary>Applies every document of a YAML string (server-side apply semantics, field manager "test").</summary>
    Task ApplyYamlAsync(string yaml, string? defaultNamespace = null, CancellationToken cancellationToken = default);

    /// <summary>Applies a YAML file.</summary>
    Task ApplyYamlFileAsync(string path, string? defaultNamespace = null, CancellationToken cancellationToken = default);

    /// <summary>Applies every *.yaml / *.yml / *.json file of a directory, in name order.</summary>
    Task ApplyDirectoryAsync(string directory, string? defaultNamespace = null, CancellationToken cancellationToken = default);
}
