using RemoteWorkloadOperator.Publishing;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>The monitor a reconcile wants for a workload: computed from the spec and the referenced Secrets.</summary>
public sealed record DesiredMonitor(
    TokenMonitorConfig Config,
    long? Generation,
    string CredentialsVersion,
    string? RetryRequest,
    KubernetesTokenPublisher TokenPublisher,
    MonitorPorts Ports);
