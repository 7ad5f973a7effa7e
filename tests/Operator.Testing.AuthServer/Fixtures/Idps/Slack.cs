namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

/// <summary>
/// Slack with token rotation (no discovery document: the token URL is configured).
/// Rotation: https://api.slack.com/authentication/rotation (refresh with grant_type=refresh_token at
/// oauth.v2.access; the answer carries ok, token_type "bot" or "user", an xoxe access token, expires_in 43200
/// and a new xoxe refresh token; each refresh token works once).
/// Method and errors: https://api.slack.com/methods/oauth.v2.access (HTTP 200 with ok=false and an error such as
/// invalid_refresh_token or invalid_client_id).
/// </summary>
public static class Slack
{
    /// <summary>The shape.</summary>
    public static IdpShape Shape { get; } = new()
    {
        Name = "Slack",
        TokenPath = "/api/oauth.v2.access",
        AccessTokenPrefix = "xoxe.xoxb-1-",
        RefreshTokenPrefix = "xoxe-1-",
        Rotation = RotationPolicy.StrictWithReuseDetection,
        Success = grant => FixtureResponse.Json(200, new Dictionary<string, object?>
        {
            ["ok"] = true,
            ["app_id"] = "A0KRD7HC3",
            ["scope"] = grant.Scope ?? "commands,incoming-webhook",
            ["token_type"] = "bot",
            ["access_token"] = grant.AccessToken,
            ["bot_user_id"] = "U0KRQLJ9H",
            ["refresh_token"] = grant.RefreshToken,
            ["expires_in"] = 43200,
            ["team"] = new { name = "Slack Softball Team", id = "T9TK3CUKW" },
            ["enterprise"] = null,
            ["is_enterprise_install"] = false,
        }),
        InvalidGrant = _ => FixtureResponse.Json(200, new { ok = false, error = "invalid_refresh_token" }),
        InvalidClient = _ => FixtureResponse.Json(200, new { ok = false, error = "invalid_client_id" }),
    };
}
