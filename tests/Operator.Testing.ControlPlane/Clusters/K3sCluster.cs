using System.Diagnostics;
using System.Text;
using k8s;
using k8s.Models;
using Testcontainers.K3s;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Clusters;

/// <summary>
/// A real Kubernetes (K3s in a Testcontainers container) behind the same <see cref="IKubernetesTestCluster"/>
/// interface as <see cref="LocalControlPlane"/>. Needs a Docker engine; check <see cref="DockerUnavailableReason"/> first.
/// YAML is applied with <c>kubectl apply --server-side</c>.
/// </summary>
public sealed class K3sCluster : IKubernetesTestCluster
{
    /// <summary>The K3s image (Kubernetes 1.33, matching the emulator's reported version).</summary>
    public const string DefaultImage = "rancher/k3s:v1.33.1-k3s1";

    private readonly K3sContainer _container;
    private readonly string _workDirectory;
    private readonly string _server;
    private readonly string _caPem;

    private K3sCluster(K3sContainer container, string workDirectory, string kubeconfigPath, string server, string caPem)
    {
        _container = container;
        _workDirectory = workDirectory;
        KubeconfigPath = kubeconfigPath;
        _server = server;
        _caPem = caPem;
    }

    public string KubeconfigPath { get; }

    /// <summary>Null when a Docker engine looks reachable; otherwise why K3s cannot run here.</summary>
    public static string? DockerUnavailableReason()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(host))
        {
            return null;
        }

        return File.Exists("/var/run/docker.sock")
            ? null
            : "no Docker engine: DOCKER_HOST is unset and /var/run/docker.sock does not exist";
    }

    public static async Task<K3sCluster> StartAsync(string image = DefaultImage, CancellationToken cancellationToken = default)
    {
        var container = new K3sBuilder(image).Build();
        await container.StartAsync(cancellationToken).ConfigureAwait(false);
        var workDirectory = Directory.CreateTempSubdirectory("k3s-").FullName;
        var kubeconfig = await container.GetKubeconfigAsync().ConfigureAwait(false);
        var path = Path.Combine(workDirectory, "admin.kubeconfig");
        await File.WriteAllTextAsync(path, kubeconfig, cancellationToken).ConfigureAwait(false);
        var parsed = await KubernetesClientConfiguration.LoadKubeConfigAsync(new FileInfo(path)).ConfigureAwait(false);
        var cluster = parsed.Clusters.First().ClusterEndpoint;
        var caPem = Encoding.ASCII.GetString(Convert.FromBase64String(cluster.CertificateAuthorityData));
        return new K3sCluster(container, workDirectory, path, cluster.Server, caPem);
    }

    public Kubernetes CreateAdminClient() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

    public async Task<string> WriteServiceAccountKubeconfigAsync(string ns, string name, CancellationToken cancellationToken = default)
    {
        var token = await ServiceAccountTokenAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var path = Path.Combine(_workDirectory, $"{ns}.{name}.kubeconfig");
        Kubeconfig.Write(path, new Uri(_server), _caPem, $"system:serviceaccount:{ns}:{name}", token, ns);
        return path;
    }

    public async Task<Kubernetes> CreateClientForAsync(string ns, string name, CancellationToken cancellationToken = default) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(await WriteServiceAccountKubeconfigAsync(ns, name, cancellationToken).ConfigureAwait(false)));

    private async Task<string> ServiceAccountTokenAsync(string ns, string name, CancellationToken cancellationToken)
    {
        using var admin = CreateAdminClient();
        try
        {
            await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when ((int)e.Response.StatusCode == 409)
        {
            // Exists already.
        }

        var request = await admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 3600, Audiences = [] } }, name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        return request.Status.Token;
    }

    public async Task ApplyYamlAsync(string yaml, string? defaultNamespace = null, CancellationToken cancellationToken = default)
    {
        var binary = File.Exists("/usr/lib/google-cloud-sdk/bin/kubectl.1.33") ? "/usr/lib/google-cloud-sdk/bin/kubectl.1.33" : "kubectl";
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--kubeconfig", KubeconfigPath, "--cache-dir", Path.Combine(_workDirectory, "cache"), "apply", "--server-side", "--force-conflicts", "-n", defaultNamespace ?? "default", "-f", "-" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = _workDirectory;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {binary}");
        await process.StandardInput.WriteAsync(yaml).ConfigureAwait(false);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        _ = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl apply failed: {await stderr.ConfigureAwait(false)}");
        }
    }

    public async Task ApplyYamlFileAsync(string path, string? defaultNamespace = null, CancellationToken cancellationToken = default) =>
        await ApplyYamlAsync(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), defaultNamespace, cancellationToken).ConfigureAwait(false);

    public async Task ApplyDirectoryAsync(string directory, string? defaultNamespace = null, CancellationToken cancellationToken = default)
    {
        foreach (var file in Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            await ApplyYamlFileAsync(file, defaultNamespace, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _container.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
