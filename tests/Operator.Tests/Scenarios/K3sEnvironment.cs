using RemoteWorkloadOperator.Testing.ControlPlane;
using RemoteWorkloadOperator.Testing.ControlPlane.Clusters;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// The scenarios' cluster on a real K3s (Testcontainers) where a Docker engine is reachable; the
/// operator and the IdP still run on this host, as they do in the emulator runs.
/// </summary>
public sealed class K3sEnvironment : ScenarioEnvironment
{
    protected override async Task<(IKubernetesTestCluster? Cluster, string? Unavailable)> CreateClusterAsync()
    {
        if (K3sCluster.DockerUnavailableReason() is { } why)
        {
            return (null, $"K3s scenarios need a Docker engine: {why}");
        }

        return (await K3sCluster.StartAsync(), null);
    }
}
