using System.ComponentModel;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities;

/// <summary>Facts about the published access token.</summary>
public sealed class TokenStatus
{
    [Description("Name of the Secret holding the access token.")]
    public string? SecretName { get; set; }

    [SchemaFormat("date-time")]
    [Description("When the access token expires: from expires_in, else the exp of a JWT access token; unset when neither says (see expirySource).")]
    public DateTime? ExpiresAt { get; set; }

    [Description("Where expiresAt came from: expires_in (the token endpoint said), jwt (no usable expires_in; the access token's exp claim) or default (neither: no expiry known, refreshed every tick interval).")]
    public string? ExpirySource { get; set; }

    [SchemaFormat("date-time")]
    [Description("When the refresh token itself stops working, as the IdP stated it (Keycloak's refresh_expires_in, GitHub's refresh_token_expires_in); unset when it gave none.")]
    public DateTime? RefreshTokenExpiresAt { get; set; }

    [SchemaFormat("date-time")]
    [Description("When the token was last obtained.")]
    public DateTime? LastRefreshTime { get; set; }

    [SchemaFormat("date-time")]
    [Description("When the next refresh is scheduled.")]
    public DateTime? NextRefreshTime { get; set; }
}
