using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>The credential values a workload references, as the user wrote them (never logged).</summary>
/// <param name="ClientSecret">The client secret, if referenced.</param>
/// <param name="InputRefreshToken">The input refresh token, if referenced.</param>
/// <param name="Revision">The referenced Secrets as <c>name@resourceVersion</c>, comma-separated: no secret material.</param>
public sealed record CredentialInputs(string? ClientSecret, string? InputRefreshToken, string Revision)
{
    /// <summary>The private_key_jwt key (PEM or JWK), if referenced.</summary>
    public string? PrivateKey { get; init; }

    /// <summary>The token exchange's subject token from a Secret, if referenced.</summary>
    public string? SubjectToken { get; init; }

    /// <summary>The mutual-TLS client certificate (tls.crt and tls.key), if referenced.</summary>
    public ClientCertificatePem? ClientCertificate { get; init; }

    /// <summary>With a ServiceAccount token: <c>name/uid</c> of the ServiceAccount (not secret; no token is read here).</summary>
    public string? ServiceAccount { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"CredentialInputs {{ Revision = {Revision} }}";
}
