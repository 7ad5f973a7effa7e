namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

/// <summary>
/// Atlassian Cloud OAuth 2.0 (3LO) with rotating refresh tokens (token URL <c>https://auth.atlassian.com/oauth/token</c>, configured).
/// https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/ (refresh with grant_type=refresh_token and a
/// JSON body or form; answer access_token, expires_in 3600, token_type, refresh_token, scope; with rotating refresh
/// tokens every refresh returns a new one and an invalid one answers 403 invalid_grant "Unknown or invalid refresh token.").
/// The page shows a JSON request body; the operator sends the RFC 6749 form encoding. It documents no body for a wrong
/// client secret, so the fixture answers the RFC 6749 one.
/// </summary>
public static class Atlassian
{
    /// <summary>The shape.</summary>
    public static IdpShape Shape { get; } = new()
    {
        Name = "Atlassian",
        TokenPath = "/oauth/token",
        Rotation = RotationPolicy.StrictWithReuseDetection,
        Success = grant => FixtureResponse.Json(200, new
        {
            access_token = grant.AccessToken,
            expires_in = 3600,
            token_type = "Bearer",
            refresh_token = grant.RefreshToken,
            scope = grant.Scope ?? "read:jira-work offline_access",
        }),
        InvalidGrant = _ => FixtureResponse.Json(403, new { error = "invalid_grant", error_description = "Unknown or invalid refresh token." }),
        InvalidClient = _ => FixtureResponse.Json(401, new { error = "invalid_client" }),
    };
}
