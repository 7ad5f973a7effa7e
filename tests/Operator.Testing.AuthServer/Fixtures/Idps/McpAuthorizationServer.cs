namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

/// <summary>
/// An authorization server of a remote MCP server that implements only RFC 8414 (no OpenID Connect), as the MCP
/// authorization specification requires of authorization servers:
/// https://modelcontextprotocol.io/specification/2025-06-18/basic/authorization (RFC 8414 metadata; resource
/// indicators per RFC 8707; refresh tokens for public clients rotated per OAuth 2.1).
/// Metadata: https://www.rfc-editor.org/rfc/rfc8414 (section 3: <c>/.well-known/oauth-authorization-server</c>
/// inserted before the issuer's path).
/// </summary>
public static class McpAuthorizationServer
{
    /// <summary>The issuer's path: a path-aware issuer, so the RFC 8414 location differs from the appended one.</summary>
    public const string IssuerPath = "/auth";

    /// <summary>The shape.</summary>
    public static IdpShape Shape { get; } = new()
    {
        Name = "RFC 8414-only MCP authorization server",
        IssuerPath = IssuerPath,
        MetadataPaths = ["/.well-known/oauth-authorization-server" + IssuerPath],
        MetadataExtras = new Dictionary<string, object>
        {
            ["authorization_endpoint"] = "{base}/auth/authorize",
            ["registration_endpoint"] = "{base}/auth/register",
            ["response_types_supported"] = new[] { "code" },
            ["grant_types_supported"] = new[] { "authorization_code", "refresh_token", "client_credentials" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_basic", "client_secret_post", "none" },
        },
        TokenPath = "/auth/token",
        Rotation = RotationPolicy.StrictWithReuseDetection,
        Success = grant => FixtureResponse.Json(200, new
        {
            access_token = grant.AccessToken,
            token_type = "Bearer",
            expires_in = 3600,
            refresh_token = grant.RefreshToken,
            scope = grant.Scope,
        }),
        InvalidGrant = _ => FixtureResponse.Json(400, new { error = "invalid_grant", error_description = "refresh token is invalid or was already used" }),
        InvalidClient = _ => FixtureResponse.Json(401, new { error = "invalid_client" }),
    };
}
