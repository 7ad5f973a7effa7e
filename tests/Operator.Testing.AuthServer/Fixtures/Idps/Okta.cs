namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

/// <summary>
/// Okta, custom authorization server <c>default</c>.
/// Metadata: https://developer.okta.com/docs/reference/api/oidc/ (both
/// <c>/oauth2/{authorizationServerId}/.well-known/oauth-authorization-server</c> and
/// <c>.../openid-configuration</c>, appended to the issuer rather than inserted as RFC 8414 would).
/// Rotation: https://developer.okta.com/docs/guides/refresh-tokens/main/ (rotation with a grace period, 30 s by
/// default, during which the previous token still works; errors are invalid_grant).
/// </summary>
public static class Okta
{
    /// <summary>The grace period the fixture applies (Okta's default).</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(30);

    /// <summary>The shape.</summary>
    public static IdpShape Shape { get; } = new()
    {
        Name = "Okta",
        IssuerPath = "/oauth2/default",
        MetadataPaths = ["/oauth2/default/.well-known/oauth-authorization-server", "/oauth2/default/.well-known/openid-configuration"],
        MetadataExtras = new Dictionary<string, object>
        {
            ["authorization_endpoint"] = "{base}/oauth2/default/v1/authorize",
            ["jwks_uri"] = "{base}/oauth2/default/v1/keys",
            ["grant_types_supported"] = new[] { "authorization_code", "refresh_token", "client_credentials" },
        },
        TokenPath = "/oauth2/default/v1/token",
        Rotation = new RotationPolicy(Rotates: true, ReuseOverlap: GracePeriod, RevokesFamilyOnReuse: true),
        Success = grant => FixtureResponse.Json(200, new
        {
            token_type = "Bearer",
            expires_in = 3600,
            access_token = grant.AccessToken,
            scope = grant.Scope ?? "offline_access mcp:read",
            refresh_token = grant.RefreshToken,
        }),
        InvalidGrant = _ => FixtureResponse.Json(400, new { error = "invalid_grant", error_description = "The refresh token is invalid or expired." }),
        InvalidClient = _ => FixtureResponse.Json(401, new { error = "invalid_client", error_description = "The client secret supplied for a confidential client is invalid." }),
    };
}
