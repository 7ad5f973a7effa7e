namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

/// <summary>
/// Auth0.
/// Discovery: https://auth0.com/docs/get-started/applications/configure-applications-with-oidc-discovery (issuer
/// <c>https://{yourDomain}/</c> — with the trailing slash; no RFC 8414 document).
/// Refresh: https://auth0.com/docs/api/authentication/refresh-token/refresh-token (access_token, refresh_token with
/// rotation, scope, expires_in 86400, token_type).
/// Rotation and reuse detection: https://auth0.com/docs/secure/tokens/refresh-tokens/refresh-token-rotation (a
/// used token presented again after the reuse interval ("leeway", the overlap period) revokes the whole family;
/// the error is 403 invalid_grant "Unknown or invalid refresh token.").
/// Client credentials with a wrong secret: 401 access_denied "Unauthorized".
/// </summary>
public static class Auth0
{
    /// <summary>The reuse interval the fixture applies.</summary>
    public static readonly TimeSpan ReuseInterval = TimeSpan.FromSeconds(10);

    /// <summary>The shape.</summary>
    public static IdpShape Shape { get; } = new()
    {
        Name = "Auth0",
        IssuerPath = "",
        IssuerTrailingSlash = true,
        MetadataPaths = ["/.well-known/openid-configuration"],
        MetadataExtras = new Dictionary<string, object>
        {
            ["authorization_endpoint"] = "{base}/authorize",
            ["jwks_uri"] = "{base}/.well-known/jwks.json",
        },
        BrokenPaths = ["/.well-known/jwks.json"],
        TokenPath = "/oauth/token",
        RefreshTokenPrefix = "v1.M_",
        Rotation = new RotationPolicy(Rotates: true, ReuseOverlap: ReuseInterval, RevokesFamilyOnReuse: true),
        Success = grant => FixtureResponse.Json(200, new
        {
            access_token = grant.AccessToken,
            refresh_token = grant.RefreshToken,
            scope = grant.Scope ?? "openid offline_access",
            expires_in = 86400,
            token_type = "Bearer",
        }),
        InvalidGrant = _ => FixtureResponse.Json(403, new { error = "invalid_grant", error_description = "Unknown or invalid refresh token." }),
        InvalidClient = _ => FixtureResponse.Json(401, new { error = "access_denied", error_description = "Unauthorized" }),
    };
}
