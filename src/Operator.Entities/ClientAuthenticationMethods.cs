namespace RemoteWorkloadOperator.Entities;

/// <summary>The wire values of <c>spec.oauth.clientAuthentication</c>: the names of <see cref="ClientAuthenticationMethod"/>, as constants for schema attributes.</summary>
public static class ClientAuthenticationMethods
{
    public const string ClientSecretBasic = nameof(ClientAuthenticationMethod.ClientSecretBasic);
    public const string ClientSecretPost = nameof(ClientAuthenticationMethod.ClientSecretPost);
    public const string None = nameof(ClientAuthenticationMethod.None);
    public const string PrivateKeyJwt = nameof(ClientAuthenticationMethod.PrivateKeyJwt);
    public const string ServiceAccountToken = nameof(ClientAuthenticationMethod.ServiceAccountToken);
}
