using RemoteWorkloadOperator.Testing.ControlPlane;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// The scenarios' cluster: the project's in-process Kubernetes API emulator on 127.0.0.1, with the
/// OwnerReferencesPermissionEnforcement admission plugin on, so every scenario proves config/rbac is
/// enough on hardened clusters (OpenShift) too.
/// </summary>
public sealed class EmulatorEnvironment : ScenarioEnvironment
{
    public LocalControlPlane ControlPlane => (LocalControlPlane)Cluster;

    protected override async Task<(IKubernetesTestCluster? Cluster, string? Unavailable)> CreateClusterAsync() =>
        (await LocalControlPlane.StartAsync(new LocalControlPlaneOptions { OwnerReferencesPermissionEnforcement = true }), null);
}
