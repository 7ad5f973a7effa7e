namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

/// <summary>
/// Amazon Cognito user pool.
/// Discovery: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-userpools-server-contract-reference.html
/// (issuer <c>https://cognito-idp.{region}.amazonaws.com/{userPoolId}</c>, document appended to it; the token endpoint
/// lives on the user pool domain <c>https://{domain}.auth.{region}.amazoncognito.com/oauth2/token</c>, another host).
/// Token endpoint: https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html (access_token,
/// expires_in, token_type; refresh_token only when the pool rotates; errors invalid_request, invalid_client,
/// invalid_grant, unauthorized_client, unsupported_grant_type).
/// Rotation: https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html
/// (off by default: the same refresh token is used until it expires).
/// </summary>
public static class Cognito
{
    /// <summary>The user pool id.</summary>
    public const string UserPool = "us-east-1_Ab12Cd34E";

    /// <summary>The shape.</summary>
    public static IdpShape Shape { get; } = new()
    {
        Name = "Amazon Cognito",
        IssuerPath = $"/{UserPool}",
        MetadataPaths = [$"/{UserPool}/.well-known/openid-configuration"],
        MetadataExtras = new Dictionary<string, object>
        {
            ["authorization_endpoint"] = "{other}/oauth2/authorize",
            ["jwks_uri"] = $"{{base}}/{UserPool}/.well-known/jwks.json",
        },
        BrokenPaths = [$"/{UserPool}/.well-known/jwks.json"],
        TokenPath = "/oauth2/token",
        TokenEndpointOnOtherHost = true,
        AccessTokenPrefix = "eyJraWQiOiJ.",
        Rotation = RotationPolicy.None,
        Success = grant => FixtureResponse.Json(200, new { access_token = grant.AccessToken, expires_in = 3600, token_type = "Bearer" }),
        InvalidGrant = _ => FixtureResponse.Json(400, new { error = "invalid_grant" }),
        InvalidClient = _ => FixtureResponse.Json(400, new { error = "invalid_client" }),
    };
}
