namespace RemoteWorkloadOperator.Entities;

/// <summary>How a workload's client authenticates at the token endpoint; its names are the values of
/// <c>spec.oauth.clientAuthentication</c> (<see cref="ClientAuthenticationMethods"/>).</summary>
public enum ClientAuthenticationMethod
{
    /// <summary>HTTP Basic (<c>client_secret_basic</c>).</summary>
    ClientSecretBasic,

    /// <summary>Form body (<c>client_secret_post</c>).</summary>
    ClientSecretPost,

    /// <summary>Public client: <c>client_id</c> only.</summary>
    None,

    /// <summary>RFC 7523 §2.2 / OIDC Core §9 <c>private_key_jwt</c>: a fresh assertion signed with the client's private key.</summary>
    PrivateKeyJwt,

    /// <summary>
    /// RFC 7523 §2.2 client assertion that is a fresh Kubernetes ServiceAccount token (TokenRequest API), as workload
    /// identity federation uses it: no secret is stored.
    /// </summary>
    ServiceAccountToken,
}
