using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities;

/// <summary>The OAuth client configuration of a workload.</summary>
[CelRule("!(has(self.issuer) && has(self.tokenUrl))", "at most one of issuer or tokenUrl may be set; omit both to discover the authorization server from spec.url")]
[CelRule("!has(self.authorizationServer) || (!has(self.issuer) && !has(self.tokenUrl))", "authorizationServer is only used when issuer and tokenUrl are omitted")]
[CelRule("self.grant != 'RefreshToken' || has(self.refreshTokenSecretRef)", "refreshTokenSecretRef is required when grant is RefreshToken")]
[CelRule("self.grant != 'ClientCredentials' || !has(self.refreshTokenSecretRef)", "refreshTokenSecretRef must not be set when grant is ClientCredentials")]
[CelRule("self.grant != 'TokenExchange' || !has(self.refreshTokenSecretRef)", "refreshTokenSecretRef must not be set when grant is TokenExchange")]
[CelRule("(self.grant == 'TokenExchange') == has(self.tokenExchange)", "tokenExchange is required when grant is TokenExchange, and only then")]
[CelRule("(has(self.clientAuthentication) && self.clientAuthentication == 'PrivateKeyJwt') == has(self.privateKeySecretRef)", "privateKeySecretRef is required when clientAuthentication is PrivateKeyJwt, and only then")]
[CelRule("!has(self.clientAuthentication) || self.clientAuthentication != 'PrivateKeyJwt' || !has(self.clientSecretRef)", "clientSecretRef must not be set when clientAuthentication is PrivateKeyJwt")]
[CelRule("has(self.serviceAccountToken) == ((has(self.clientAuthentication) && self.clientAuthentication == 'ServiceAccountToken') || (self.grant == 'TokenExchange' && !(has(self.tokenExchange) && has(self.tokenExchange.subjectTokenSecretRef))))", "serviceAccountToken is required when clientAuthentication is ServiceAccountToken or when grant is TokenExchange without tokenExchange.subjectTokenSecretRef, and only then")]
[CelRule("!(self.grant == 'TokenExchange' && has(self.clientAuthentication) && self.clientAuthentication == 'ServiceAccountToken') || (has(self.tokenExchange) && has(self.tokenExchange.subjectTokenSecretRef))", "with grant TokenExchange and clientAuthentication ServiceAccountToken the subject token must come from tokenExchange.subjectTokenSecretRef")]
[CelRule("!has(self.clientAuthentication) || self.clientAuthentication != 'ServiceAccountToken' || !has(self.clientSecretRef)", "clientSecretRef must not be set when clientAuthentication is ServiceAccountToken")]
[CelRule("!has(self.assertionAudience) || self.assertionAudience != 'Issuer' || !has(self.tokenUrl)", "assertionAudience Issuer needs the issuer from discovery: set issuer (or discover from spec.url) instead of tokenUrl")]
[CelRule("(!has(self.keyId) && !has(self.algorithm) && !has(self.assertionAudience)) || (has(self.clientAuthentication) && self.clientAuthentication == 'PrivateKeyJwt')", "keyId, algorithm and assertionAudience are only used when clientAuthentication is PrivateKeyJwt")]
[CelRule("(has(self.clientAuthentication) && (self.clientAuthentication == 'TlsClientAuth' || self.clientAuthentication == 'SelfSignedTlsClientAuth')) == has(self.clientCertificateSecretRef)", "clientCertificateSecretRef is required when clientAuthentication is TlsClientAuth or SelfSignedTlsClientAuth, and only then")]
[CelRule("!has(self.clientAuthentication) || !(self.clientAuthentication == 'TlsClientAuth' || self.clientAuthentication == 'SelfSignedTlsClientAuth') || !has(self.clientSecretRef)", "clientSecretRef must not be set when clientAuthentication is TlsClientAuth or SelfSignedTlsClientAuth")]
[CelRule("!has(self.clientCertificateRenewBefore) || has(self.clientCertificateSecretRef)", "clientCertificateRenewBefore is only used with clientCertificateSecretRef")]
[CelRule("!has(self.clientCertificateRenewBefore) || duration(self.clientCertificateRenewBefore) <= duration('8760h')", "clientCertificateRenewBefore must be at most 8760h")]
public sealed class OAuthSpec
{
    /// <summary>The default of <see cref="ClientCertificateRenewBefore"/>: a week, time enough for a person to renew.</summary>
    public static readonly TimeSpan DefaultClientCertificateRenewBefore = TimeSpan.FromDays(7);

    /// <summary>The largest <see cref="ClientCertificateRenewBefore"/> (the CEL rule says the same).</summary>
    public static readonly TimeSpan MaxClientCertificateRenewBefore = TimeSpan.FromDays(365);

    [SchemaFormat("uri")]
    [RegularExpression(SchemaPatterns.HttpUrl)]
    [Description("Issuer URL; the token endpoint is found by discovery (RFC 8414 metadata, then OpenID Connect Discovery). At most one of issuer or tokenUrl; omit both to discover from spec.url (RFC 9728).")]
    public string? Issuer { get; set; }

    [SchemaFormat("uri")]
    [RegularExpression(SchemaPatterns.HttpUrl)]
    [Description("Token endpoint URL, used as is. At most one of issuer or tokenUrl.")]
    public string? TokenUrl { get; set; }

    [SchemaFormat("uri")]
    [RegularExpression(SchemaPatterns.HttpUrl)]
    [Description("With issuer and tokenUrl omitted: which of the authorization servers listed in spec.url's protected-resource metadata (RFC 9728) to use. Needed only when it lists more than one.")]
    public string? AuthorizationServer { get; set; }

    [Required]
    [AllowedValues(GrantTypes.RefreshToken, GrantTypes.ClientCredentials, GrantTypes.TokenExchange)]
    [Description("OAuth grant: RefreshToken (refresh_token grant), ClientCredentials (client_credentials grant) or TokenExchange (RFC 8693, with tokenExchange).")]
    public string Grant { get; set; } = "";

    [Required]
    [MinLength(1)]
    [Description("OAuth client identifier (public metadata, plain text).")]
    public string ClientId { get; set; } = "";

    [Description("Key of a Secret in the workload's namespace holding the client secret. Omit for public clients (clientAuthentication: None).")]
    public SecretKeyReference? ClientSecretRef { get; set; }

    [Description("Key of a Secret in the workload's namespace holding the refresh token. Required when grant is RefreshToken. The Secret is never modified.")]
    public SecretKeyReference? RefreshTokenSecretRef { get; set; }

    [AllowedValues(ClientAuthenticationMethods.ClientSecretBasic, ClientAuthenticationMethods.ClientSecretPost, ClientAuthenticationMethods.None, ClientAuthenticationMethods.PrivateKeyJwt, ClientAuthenticationMethods.ServiceAccountToken, ClientAuthenticationMethods.TlsClientAuth, ClientAuthenticationMethods.SelfSignedTlsClientAuth)]
    [DefaultValue(ClientAuthenticationMethods.ClientSecretBasic)]
    [Description("How the client authenticates at the token endpoint: ClientSecretBasic (default), ClientSecretPost, None, PrivateKeyJwt (RFC 7523 client assertion signed with privateKeySecretRef), or ServiceAccountToken (RFC 7523 client assertion that is a token of serviceAccountToken's ServiceAccount: workload identity federation, no stored secret), TlsClientAuth (RFC 8705 tls_client_auth: the client certificate of clientCertificateSecretRef, checked against a CA and the registered subject) or SelfSignedTlsClientAuth (RFC 8705 self_signed_tls_client_auth: that certificate, registered at the IdP itself).")]
    public string? ClientAuthentication { get; set; }

    [Description("With clientAuthentication PrivateKeyJwt: key of a Secret in the workload's namespace holding the client's private key, as PEM (PKCS#8 or PKCS#1 RSA, PKCS#8 or SEC1 EC P-256) or as a private JWK. The IdP must hold the public key.")]
    public SecretKeyReference? PrivateKeySecretRef { get; set; }

    [MinLength(1)]
    [MaxLength(256)]
    [Description("With PrivateKeyJwt: the kid header of each assertion, as registered at the IdP. Default: the JWK's kid, else none.")]
    public string? KeyId { get; set; }

    [AllowedValues(SigningAlgorithms.RS256, SigningAlgorithms.PS256, SigningAlgorithms.ES256)]
    [Description("With PrivateKeyJwt: the JWS algorithm of each assertion. Default: RS256 for an RSA key, ES256 for an EC key.")]
    public string? Algorithm { get; set; }

    [AllowedValues(AssertionAudiences.TokenEndpoint, AssertionAudiences.Issuer)]
    [Description("With PrivateKeyJwt: the aud of each assertion. TokenEndpoint (the default; Entra ID, Okta, Keycloak) or Issuer (the discovered issuer; Auth0, OpenIddict and servers following draft RFC 7523bis).")]
    public string? AssertionAudience { get; set; }

    [Description("With clientAuthentication TlsClientAuth or SelfSignedTlsClientAuth: the kubernetes.io/tls Secret (tls.crt, tls.key) in the workload's namespace whose certificate is presented on the TLS connection to the token endpoint.")]
    public TlsSecretReference? ClientCertificateSecretRef { get; set; }

    // No schema default: a defaulted field would be set on every workload, and the CEL rule allows it only with a certificate.
    [Description("With clientCertificateSecretRef: how long before the certificate's notAfter the workload reports ClientCertificateExpiring (a condition and a Warning Event) so it is renewed in time (Go duration, at most 8760h; 168h when omitted).")]
    public KubeDuration? ClientCertificateRenewBefore { get; set; }

    [Description("With clientAuthentication ServiceAccountToken (the client assertion) or grant TokenExchange without tokenExchange.subjectTokenSecretRef (the subject token): the ServiceAccount (of the workload's namespace, opted in by annotation) whose short-lived token is presented, and the audience the IdP expects.")]
    public ServiceAccountTokenSpec? ServiceAccountToken { get; set; }

    [Description("With grant TokenExchange: the subject token (a Secret key, or serviceAccountToken) and the RFC 8693 parameters.")]
    public TokenExchangeSpec? TokenExchange { get; set; }

    [Description("Scopes to request.")]
    public IList<string>? Scopes { get; set; }

    [SchemaFormat("uri")]
    [Description("RFC 8707 resource indicator sent with token requests. When issuer and tokenUrl are omitted it defaults to the canonical spec.url.")]
    public string? Resource { get; set; }
}
