namespace RemoteWorkloadOperator.Entities;

/// <summary>Values of <c>spec.oauth.clientAuthentication</c>.</summary>
public static class ClientAuthenticationMethods
{
    public const string ClientSecretBasic = "ClientSecretBasic";
    public const string ClientSecretPost = "ClientSecretPost";
    public const string None = "None";

    /// <summary>RFC 7523 §2.2 / OIDC Core §9 <c>private_key_jwt</c>: a JWT signed with the client's private key.</summary>
    public const string PrivateKeyJwt = "PrivateKeyJwt";

    /// <summary>
    /// RFC 7523 §2.2 client assertion that is a Kubernetes ServiceAccount token (TokenRequest API), as workload identity
    /// federation uses it: no secret is stored.
    /// </summary>
    public const string ServiceAccountToken = "ServiceAccountToken";
}
