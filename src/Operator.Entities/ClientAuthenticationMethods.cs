namespace RemoteWorkloadOperator.Entities;

/// <summary>The wire values of <c>spec.oauth.clientAuthentication</c>: the names of <see cref="ClientAuthenticationMethod"/>, as constants for schema attributes.</summary>
public static class ClientAuthenticationMethods
{
    public const string ClientSecretBasic = nameof(ClientAuthenticationMethod.ClientSecretBasic);
    public const string ClientSecretPost = nameof(ClientAuthenticationMethod.ClientSecretPost);
    public const string None = nameof(ClientAuthenticationMethod.None);
    public const string PrivateKeyJwt = nameof(ClientAuthenticationMethod.PrivateKeyJwt);
    public const string ServiceAccountToken = nameof(ClientAuthenticationMethod.ServiceAccountToken);
    public const string TlsClientAuth = nameof(ClientAuthenticationMethod.TlsClientAuth);
    public const string SelfSignedTlsClientAuth = nameof(ClientAuthenticationMethod.SelfSignedTlsClientAuth);

    /// <summary>Whether <paramref name="method"/> authenticates the client by its TLS certificate (RFC 8705).</summary>
    public static bool IsMutualTls(string? method) => method is TlsClientAuth or SelfSignedTlsClientAuth;
}
