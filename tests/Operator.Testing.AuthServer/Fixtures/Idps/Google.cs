namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

/// <summary>
/// Google.
/// Discovery: https://developers.google.com/identity/openid-connect/openid-connect#discovery (issuer
/// <c>https://accounts.google.com</c>, token endpoint <c>https://oauth2.googleapis.com/token</c> on another host).
/// Refresh: https://developers.google.com/identity/protocols/oauth2/web-server#offline (access_token, expires_in,
/// scope, token_type; no new refresh token — Google does not rotate; a revoked or expired one answers invalid_grant).
/// </summary>
public static class Google
{
    /// <summary>The shape.</summary>
    public static IdpShape Shape { get; } = new()
    {
        Name = "Google",
        IssuerPath = "",
        MetadataPaths = ["/.well-known/openid-configuration"],
        MetadataExtras = new Dictionary<string, object>
        {
            ["authorization_endpoint"] = "{base}/o/oauth2/v2/auth",
            ["jwks_uri"] = "{other}/oauth2/v3/certs",
            ["revocation_endpoint"] = "{other}/revoke",
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "client_secret_basic" },
        },
        BrokenPaths = ["/oauth2/v3/certs"],
        TokenPath = "/token",
        TokenEndpointOnOtherHost = true,
        AccessTokenPrefix = "ya29.a0",
        RefreshTokenPrefix = "1//0g_",
        Rotation = RotationPolicy.None,
        Success = grant => FixtureResponse.Json(200, new
        {
            access_token = grant.AccessToken,
            expires_in = 3599,
            scope = grant.Scope ?? "https://www.googleapis.com/auth/drive.metadata.readonly",
            token_type = "Bearer",
        }),
        InvalidGrant = _ => FixtureResponse.Json(400, new { error = "invalid_grant", error_description = "Token has been expired or revoked." }),
        InvalidClient = _ => FixtureResponse.Json(401, new { error = "invalid_client", error_description = "Unauthorized" }),
    };
}
