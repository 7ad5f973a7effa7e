namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

/// <summary>
/// Keycloak, realm <c>demo</c>.
/// Endpoints: https://www.keycloak.org/securing-apps/oidc-layers (issuer <c>/realms/{realm}</c>, document at
/// <c>/realms/{realm}/.well-known/openid-configuration</c>, token endpoint <c>/realms/{realm}/protocol/openid-connect/token</c>).
/// Token response: access_token, expires_in, refresh_expires_in (the refresh token's own lifetime, the SSO session
/// idle timeout, 30 min by default), refresh_token, token_type, not-before-policy, session_state, scope.
/// Rotation: https://www.keycloak.org/docs/latest/server_admin/#_timeouts ("Revoke Refresh Token" with a maximum
/// reuse of 0 makes every refresh token single use; reuse answers 400 invalid_grant).
/// </summary>
public static class Keycloak
{
    /// <summary>refresh_expires_in the fixture sends.</summary>
    public const int RefreshExpiresIn = 1800;

    /// <summary>The shape.</summary>
    public static IdpShape Shape { get; } = new()
    {
        Name = "Keycloak",
        IssuerPath = "/realms/demo",
        MetadataPaths = ["/realms/demo/.well-known/openid-configuration"],
        MetadataExtras = new Dictionary<string, object>
        {
            ["authorization_endpoint"] = "{base}/realms/demo/protocol/openid-connect/auth",
            ["jwks_uri"] = "{base}/realms/demo/protocol/openid-connect/certs",
        },
        TokenPath = "/realms/demo/protocol/openid-connect/token",
        AccessTokenPrefix = "eyJhbGciOiJSUzI1NiJ9.",
        RefreshTokenPrefix = "eyJhbGciOiJIUzUxMiJ9_",
        Rotation = RotationPolicy.StrictWithReuseDetection,
        Success = grant => FixtureResponse.Json(200, WithoutNulls(new Dictionary<string, object?>
        {
            ["access_token"] = grant.AccessToken,
            ["expires_in"] = 300,
            ["refresh_expires_in"] = grant.RefreshToken is null ? 0 : RefreshExpiresIn,
            ["refresh_token"] = grant.RefreshToken,
            ["token_type"] = "Bearer",
            ["not-before-policy"] = 0,
            ["session_state"] = "5a1fcf0d-3b5c-4fa4-8b1c-6f1d3f7c2a11",
            ["scope"] = grant.Scope ?? "profile email",
        })),
        InvalidGrant = _ => FixtureResponse.Json(400, new { error = "invalid_grant", error_description = "Maximum allowed refresh token reuse exceeded" }),
        InvalidClient = _ => FixtureResponse.Json(401, new { error = "unauthorized_client", error_description = "Invalid client or Invalid client credentials" }),
    };

    // A client_credentials answer has no refresh token at all rather than a null one.
    private static Dictionary<string, object> WithoutNulls(Dictionary<string, object?> fields) =>
        fields.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value!);
}
