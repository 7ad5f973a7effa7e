using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>The monitor a reconcile wants for a workload: computed from the spec and the referenced Secrets.</summary>
/// <param name="Config">The engine's configuration.</param>
/// <param name="Generation">metadata.generation.</param>
/// <param name="CredentialsVersion">Fingerprints of the credential values (changes exactly when a credential does).</param>
/// <param name="CredentialsRevision">The referenced Secrets' resourceVersions, persisted in status (no secret material).</param>
/// <param name="RequestIdentity">Everything the token request depends on; a spec edit that changes it warrants an attempt.</param>
/// <param name="RetryRequest">The retry-requested-at annotation.</param>
/// <param name="TokenSecretPresent">Whether our token Secret exists (a resumed Running workload without it asks for a token).</param>
/// <param name="RefreshTokenFence">No refresh-token request before this (a takeover from a holder that may be in flight).</param>
/// <param name="TokenPublisher">The token Secret's publisher.</param>
/// <param name="Ports">The monitor's ports (the agent wires its own status writer and the token publisher in).</param>
/// <param name="ClientCertificate">With a mutual-TLS method: the client certificate's validity (for its expiry condition).</param>
public sealed record DesiredMonitor(
    TokenMonitorConfig Config,
    long? Generation,
    string CredentialsVersion,
    string CredentialsRevision,
    string RequestIdentity,
    string? RetryRequest,
    bool TokenSecretPresent,
    DateTimeOffset? RefreshTokenFence,
    KubernetesTokenPublisher TokenPublisher,
    TokenMonitorPorts Ports,
    ClientCertificateValidity? ClientCertificate = null);
