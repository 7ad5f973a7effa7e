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

    /// <summary>
    /// RFC 8705 §2.1 PKI mutual-TLS client authentication (<c>tls_client_auth</c>): the client certificate presented on
    /// the TLS connection authenticates the client; the IdP checks it against the subject it registered.
    /// </summary>
    TlsClientAuth,

    /// <summary>
    /// RFC 8705 §2.2 self-signed certificate mutual-TLS client authentication (<c>self_signed_tls_client_auth</c>): the
    /// IdP holds the certificate (or its key) itself, no certificate authority is involved.
    /// </summary>
    SelfSignedTlsClientAuth,
}
