namespace RemoteWorkloadOperator.Controller;

/// <summary>What a workload's status carries besides its state: facts of the spec and the reconcile, not of the engine.</summary>
/// <param name="Generation">The <c>metadata.generation</c> reported as observed.</param>
/// <param name="LastHandledRetryRequest">The retry-requested-at value last acted on.</param>
/// <param name="CredentialsRevision">The referenced Secrets' <c>name@resourceVersion</c> (no secret material).</param>
/// <param name="TokenSecretName">The token Secret reported in <c>status.token.secretName</c>.</param>
/// <param name="TickInterval">The workload's AuthRetrying cadence, named in the AuthRetrying condition's message.</param>
/// <param name="ClientCertificate">With a mutual-TLS method: the client certificate's end and the renewal warning time.</param>
public sealed record StatusContext(
    long? Generation,
    string? LastHandledRetryRequest = null,
    string? CredentialsRevision = null,
    string? TokenSecretName = null,
    TimeSpan? TickInterval = null,
    ClientCertificateValidity? ClientCertificate = null);
