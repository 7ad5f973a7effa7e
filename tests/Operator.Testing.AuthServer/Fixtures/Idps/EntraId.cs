namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

/// <summary>
/// Microsoft Entra ID, v2.0 endpoints, single tenant.
/// Discovery: https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc (issuer
/// <c>https://login.microsoftonline.com/{tenant}/v2.0</c>, document appended to it, token endpoint
/// <c>/{tenant}/oauth2/v2.0/token</c> — outside the issuer's path; no RFC 8414 document).
/// Client credentials: https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
/// (success with token_type, expires_in, ext_expires_in, access_token; errors carry error_codes, timestamp, trace_id, correlation_id).
/// Refresh: https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token
/// (a new refresh token on every use; the old one is not revoked on use).
/// </summary>
public static class EntraId
{
    /// <summary>The tenant id used by the fixture.</summary>
    public const string Tenant = "9188040d-6c67-4c5b-b112-36a304b66dad";

    /// <summary>The shape.</summary>
    public static IdpShape Shape { get; } = new()
    {
        Name = "Microsoft Entra ID (v2)",
        IssuerPath = $"/{Tenant}/v2.0",
        MetadataPaths = [$"/{Tenant}/v2.0/.well-known/openid-configuration"],
        MetadataExtras = new Dictionary<string, object>
        {
            ["authorization_endpoint"] = $"{{base}}/{Tenant}/oauth2/v2.0/authorize",
            ["jwks_uri"] = $"{{base}}/{Tenant}/discovery/v2.0/keys",
            ["response_types_supported"] = new[] { "code", "id_token", "code id_token", "id_token token" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "private_key_jwt", "client_secret_basic" },
        },
        BrokenPaths = [$"/{Tenant}/discovery/v2.0/keys"],
        TokenPath = $"/{Tenant}/oauth2/v2.0/token",
        AccessTokenPrefix = "eyJ0eXAiOiJKV1Qi.",
        RefreshTokenPrefix = "0.AXoA_",
        Rotation = new RotationPolicy(Rotates: true, ReuseOverlap: Timeout.InfiniteTimeSpan, RevokesFamilyOnReuse: false),
        Success = grant => grant.RefreshToken is null
            ? FixtureResponse.Json(200, new { token_type = "Bearer", expires_in = 3599, ext_expires_in = 3599, access_token = grant.AccessToken })
            : FixtureResponse.Json(200, new { access_token = grant.AccessToken, token_type = "Bearer", expires_in = 3599, scope = grant.Scope ?? "https://graph.microsoft.com/User.Read", refresh_token = grant.RefreshToken }),
        InvalidGrant = _ => Error(400, "invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.", 70008),
        InvalidClient = _ => Error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.", 7000215),
    };

    private static FixtureResponse Error(int status, string code, string description, int aadsts) => FixtureResponse.Json(status, new
    {
        error = code,
        error_description = description,
        error_codes = new[] { aadsts },
        timestamp = "2026-12-01 09:00:00Z",
        trace_id = "255d1aef-8c98-452f-ac51-23d051240864",
        correlation_id = "fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7",
        error_uri = "https://login.microsoftonline.com/error?code=" + aadsts,
    });
}
