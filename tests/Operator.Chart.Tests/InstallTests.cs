using k8s;
using k8s.Autorest;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.ControlPlane;

namespace RemoteWorkloadOperator.Chart.Tests;

/// <summary>
/// `helm install`, `helm upgrade` and `helm uninstall` of the chart against the local control plane,
/// release storage (helm's Secrets) included. No pod runs here: the Deployment is only stored.
/// </summary>
public sealed class InstallTests
{
    private const string Release = "rwo";
    private const string Namespace = "remoteworkload-system";
    private const string Workload = """
        apiVersion: workloads.dev/v1alpha1
        kind: RemoteWorkload
        metadata: { name: kept, namespace: default }
        spec:
          url: https://mcp.example.com/api
          oauth:
            tokenUrl: https://idp.example.com/oauth/token
            grant: ClientCredentials
            clientId: agent
            clientSecretRef: { name: creds, key: client_secret }
        """;

    [Fact]
    public async Task Install_upgrade_and_uninstall_on_the_local_control_plane_keep_the_crd_and_workloads()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var directory = new TemporaryDirectory();
        await using var controlPlane = await LocalControlPlane.StartAsync(new LocalControlPlaneOptions { KubeconfigPath = Path.Combine(directory.Path, "kubeconfig") }, cancellation);
        using var admin = controlPlane.CreateAdminClient();
        var kubeconfig = controlPlane.KubeconfigPath;

        var install = Helm.RunAgainst(kubeconfig, "install", Release, Helm.ChartPath, "--namespace", Namespace, "--create-namespace");
        Assert.True(install.ExitCode == 0, install.Error + install.Output);
        var deployment = await admin.AppsV1.ReadNamespacedDeploymentAsync($"{Release}-remoteworkload-operator", Namespace, cancellationToken: cancellation);
        Assert.Contains("--log-format=json", deployment.Spec.Template.Spec.Containers[0].Args);
        await admin.CoreV1.ReadNamespacedServiceAccountAsync($"{Release}-remoteworkload-operator", Namespace, cancellationToken: cancellation);
        await controlPlane.ApplyYamlAsync(Workload, "default", cancellation);

        var upgrade = Helm.RunAgainst(kubeconfig, "upgrade", Release, Helm.ChartPath, "--namespace", Namespace, "--set", "logFormat=console");
        Assert.True(upgrade.ExitCode == 0, upgrade.Error + upgrade.Output);
        deployment = await admin.AppsV1.ReadNamespacedDeploymentAsync($"{Release}-remoteworkload-operator", Namespace, cancellationToken: cancellation);
        Assert.Contains("--log-format=console", deployment.Spec.Template.Spec.Containers[0].Args);
        var history = Helm.RunAgainst(kubeconfig, "history", Release, "--namespace", Namespace, "-o", "json");
        Assert.Contains("\"revision\":2", history.Output, StringComparison.Ordinal);
        var releases = await admin.CoreV1.ListNamespacedSecretAsync(Namespace, labelSelector: $"owner=helm,name={Release}", cancellationToken: cancellation);
        Assert.Equal(2, releases.Items.Count);

        var uninstall = Helm.RunAgainst(kubeconfig, "uninstall", Release, "--namespace", Namespace);
        Assert.True(uninstall.ExitCode == 0, uninstall.Error + uninstall.Output);
        await AssertGoneAsync(() => admin.AppsV1.ReadNamespacedDeploymentAsync($"{Release}-remoteworkload-operator", Namespace, cancellationToken: cancellation));
        await AssertGoneAsync(() => admin.CoreV1.ReadNamespacedServiceAccountAsync($"{Release}-remoteworkload-operator", Namespace, cancellationToken: cancellation));
        releases = await admin.CoreV1.ListNamespacedSecretAsync(Namespace, labelSelector: $"owner=helm,name={Release}", cancellationToken: cancellation);
        Assert.Empty(releases.Items);
        // The chart's promise: the CRD carries helm.sh/resource-policy: keep, so workloads survive.
        await admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync($"{WorkloadApi.Plural}.{WorkloadApi.Group}", cancellationToken: cancellation);
        await admin.CustomObjects.GetNamespacedCustomObjectAsync(WorkloadApi.Group, WorkloadApi.Version, "default", WorkloadApi.Plural, "kept", cancellationToken: cancellation);
    }

    private static async Task AssertGoneAsync(Func<Task> read)
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(read);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.Response.StatusCode);
    }

    private sealed class TemporaryDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("chart-install-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
