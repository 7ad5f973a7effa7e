using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities;

/// <summary>The OAuth client configuration of a workload.</summary>
[CelRule("!(has(self.issuer) && has(self.tokenUrl))", "at most one of issuer or tokenUrl may be set; omit both to discover the authorization server from spec.url")]
[CelRule("!has(self.authorizationServer) || (!has(self.issuer) && !has(self.tokenUrl))", "authorizationServer is only used when issuer and tokenUrl are omitted")]
[CelRule("self.grant != 'RefreshToken' || has(self.refreshTokenSecretRef)", "refreshTokenSecretRef is required when grant is RefreshToken")]
[CelRule("self.grant != 'ClientCredentials' || !has(self.refreshTokenSecretRef)", "refreshTokenSecretRef must not be set when grant is ClientCredentials")]
public sealed class OAuthSpec
{
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
    [AllowedValues(GrantTypes.RefreshToken, GrantTypes.ClientCredentials)]
    [Description("OAuth grant: RefreshToken (refresh_token grant) or ClientCredentials (client_credentials grant).")]
    public string Grant { get; set; } = "";

    [Required]
    [MinLength(1)]
    [Description("OAuth client identifier (public metadata, plain text).")]
    public string ClientId { get; set; } = "";

    [Description("Key of a Secret in the workload's namespace holding the client secret. Omit for public clients (clientAuthentication: None).")]
    public SecretKeyReference? ClientSecretRef { get; set; }

    [Description("Key of a Secret in the workload's namespace holding the refresh token. Required when grant is RefreshToken. The Secret is never modified.")]
    public SecretKeyReference? RefreshTokenSecretRef { get; set; }

    [AllowedValues(ClientAuthenticationMethods.ClientSecretBasic, ClientAuthenticationMethods.ClientSecretPost, ClientAuthenticationMethods.None)]
    [DefaultValue(ClientAuthenticationMethods.ClientSecretBasic)]
    [Description("How the client authenticates at the token endpoint: ClientSecretBasic (default), ClientSecretPost or None.")]
    public string? ClientAuthentication { get; set; }

    [Description("Scopes to request.")]
    public IList<string>? Scopes { get; set; }

    [SchemaFormat("uri")]
    [Description("RFC 8707 resource indicator sent with token requests. When issuer and tokenUrl are omitted it defaults to the canonical spec.url.")]
    public string? Resource { get; set; }
}
