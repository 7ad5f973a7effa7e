using RemoteWorkloadOperator.Entities;
namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// Secret inputs of one attempt. <see cref="RefreshToken"/> is already the effective one (the input
/// value or the rotated one the operator stored). <see cref="Version"/> is opaque and changes whenever
/// a person changes the credentials. <see cref="ToString"/> never prints a secret.
/// </summary>
public sealed record MonitorCredentials(string Version, string? ClientSecret, string? RefreshToken)
{
    /// <summary>
    /// What identifies the input refresh token a rotated one descends from (its fingerprint). A rotated token that is
    /// held in memory survives any change of the other credentials (a new client secret) and is dropped only when this
    /// changes. Null means <see cref="Version"/>.
    /// </summary>
    public string? Lineage { get; init; }

    /// <summary>The client's private key (PEM or JWK) for <see cref="ClientAuthenticationMethod.PrivateKeyJwt"/>, if referenced.</summary>
    public string? PrivateKey { get; init; }

    /// <summary>With <see cref="GrantType.TokenExchange"/>: the RFC 8693 <c>subject_token</c> (a Secret's value or a fresh ServiceAccount token).</summary>
    public string? SubjectToken { get; init; }

    /// <summary>A fresh ServiceAccount token (TokenRequest API) for this attempt only, with <see cref="ClientAuthenticationMethod.ServiceAccountToken"/>.</summary>
    public string? ServiceAccountToken { get; init; }

    /// <summary>With <see cref="ClientAuthenticationMethod.TlsClientAuth"/> or <see cref="ClientAuthenticationMethod.SelfSignedTlsClientAuth"/>: the certificate presented on the TLS connection.</summary>
    public ClientCertificatePem? ClientCertificate { get; init; }

    /// <summary>
    /// The credential <paramref name="config"/>'s request needs but these lack, as a missing-credential reason and a
    /// message (never a value); null when nothing is missing. The monitor parks the workload on it
    /// (<see cref="MissingCredentialPhases"/>) before any request, and the token client refuses to send without it.
    /// </summary>
    public (string Reason, string Message)? MissingFor(TokenMonitorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config switch
        {
            { Grant: GrantType.RefreshToken } when string.IsNullOrEmpty(RefreshToken) => (Reasons.SecretKeyMissing, "no refresh token is available for the refresh_token grant"),
            { Grant: GrantType.TokenExchange } when string.IsNullOrEmpty(SubjectToken) => (Reasons.SecretKeyMissing, "no subject token is available for the token exchange"),
            { ClientAuthentication: ClientAuthenticationMethod.ServiceAccountToken } when string.IsNullOrEmpty(ServiceAccountToken) => (Reasons.ServiceAccountNotFound, "no ServiceAccount token is available for the client assertion"),
            { ClientAuthentication: ClientAuthenticationMethod.TlsClientAuth or ClientAuthenticationMethod.SelfSignedTlsClientAuth } when ClientCertificate is null => (Reasons.SecretKeyMissing, "no client certificate is available for mutual-TLS client authentication"),
            _ => null,
        };
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"MonitorCredentials {{ Version = {Version}, ClientSecret = {(ClientSecret is null ? "none" : "***")}, RefreshToken = {(RefreshToken is null ? "none" : "***")}, PrivateKey = {(PrivateKey is null ? "none" : "***")}, ServiceAccountToken = {(ServiceAccountToken is null ? "none" : "***")}, SubjectToken = {(SubjectToken is null ? "none" : "***")}, ClientCertificate = {(ClientCertificate is null ? "none" : "***")} }}";
}

/// <summary>Thrown by <see cref="ICredentialsSource"/> when a referenced Secret or key is missing.</summary>
public sealed class CredentialsUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CredentialsUnavailableException()
        : this(Reasons.SecretNotFound, "credentials are not available")
    {
    }

    /// <summary>Creates the exception.</summary>
    public CredentialsUnavailableException(string message)
        : this(Reasons.SecretNotFound, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CredentialsUnavailableException(string message, Exception innerException)
        : base(message, innerException) => Reason = Reasons.SecretNotFound;

    /// <summary>Creates the exception with a status reason such as <c>SecretNotFound</c> or <c>SecretKeyMissing</c>.</summary>
    public CredentialsUnavailableException(string reason, string message)
        : base(message) => Reason = reason;

    /// <summary>Machine-readable reason for <c>status.reason</c>.</summary>
    public string Reason { get; }
}
