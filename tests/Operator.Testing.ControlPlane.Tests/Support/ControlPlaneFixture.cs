namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

/// <summary>One control plane per test class, with the repository's CRD and RBAC installed.</summary>
public sealed class ControlPlaneFixture : IAsyncLifetime
{
    private LocalControlPlane? _controlPlane;

    public LocalControlPlane ControlPlane => _controlPlane ?? throw new InvalidOperationException("not started");

    public string Scratch { get; } = Directory.CreateTempSubdirectory("cp-tests-").FullName;

    public async ValueTask InitializeAsync()
    {
        _controlPlane = await LocalControlPlane.StartAsync(new LocalControlPlaneOptions
        {
            ApplyAtStart = [RepositoryPaths.Crds, RepositoryPaths.Rbac],
            BookmarkInterval = TimeSpan.FromMilliseconds(500),
        });
    }

    internal Kubectl Kubectl(string binary = Support.Kubectl.Fixed133, string? kubeconfig = null) =>
        new(binary, kubeconfig ?? ControlPlane.KubeconfigPath, Scratch);

    public async ValueTask DisposeAsync()
    {
        if (_controlPlane is not null)
        {
            await _controlPlane.DisposeAsync();
        }

        try
        {
            Directory.Delete(Scratch, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
