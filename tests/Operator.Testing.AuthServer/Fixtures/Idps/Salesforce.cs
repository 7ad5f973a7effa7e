namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

/// <summary>
/// Salesforce.
/// Discovery: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid_discovery_endpoint.htm
/// (issuer <c>https://login.salesforce.com</c>, document at <c>/.well-known/openid-configuration</c>, token endpoint
/// <c>/services/oauth2/token</c>).
/// Refresh: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm (access_token,
/// signature, scope, instance_url, id, token_type, issued_at — no expires_in: the session timeout decides; the
/// refresh token is not rotated; an expired or revoked one answers 400 invalid_grant "expired access/refresh token").
/// </summary>
public static class Salesforce
{
    /// <summary>The shape.</summary>
    public static IdpShape Shape { get; } = new()
    {
        Name = "Salesforce",
        IssuerPath = "",
        MetadataPaths = ["/.well-known/openid-configuration"],
        MetadataExtras = new Dictionary<string, object>
        {
            ["authorization_endpoint"] = "{base}/services/oauth2/authorize",
            ["jwks_uri"] = "{base}/id/keys",
        },
        BrokenPaths = ["/id/keys"],
        TokenPath = "/services/oauth2/token",
        AccessTokenPrefix = "00D5e000000ABCD!",
        RefreshTokenPrefix = "5Aep861_",
        Rotation = RotationPolicy.None,
        Success = grant => FixtureResponse.Json(200, new
        {
            access_token = grant.AccessToken,
            signature = "SSSbLO/gBhmmyNUvN18ODBDFYHzakxOMgqYtu+hDPsc=",
            scope = grant.Scope ?? "refresh_token api",
            instance_url = "https://yourInstance.salesforce.com",
            id = "https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P",
            token_type = "Bearer",
            issued_at = "1278448384422",
        }),
        InvalidGrant = _ => FixtureResponse.Json(400, new { error = "invalid_grant", error_description = "expired access/refresh token" }),
        InvalidClient = _ => FixtureResponse.Json(400, new { error = "invalid_client", error_description = "invalid client credentials" }),
    };
}
