namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

/// <summary>
/// GitHub App user access tokens (no discovery document: the token URL is configured).
/// Refresh: https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
/// (access token 8 h, expires_in 28800; refresh token 6 months, refresh_token_expires_in; single use: once used,
/// it and the old access token stop working).
/// Response format: https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps (form-encoded
/// by default; JSON only with <c>Accept: application/json</c>).
/// Errors: https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
/// (HTTP 200 with error, error_description and error_uri, for example bad_refresh_token or incorrect_client_credentials).
/// </summary>
public static class GitHub
{
    /// <summary>refresh_token_expires_in the fixture sends (about six months).</summary>
    public const int RefreshTokenExpiresIn = 15897600;

    /// <summary>The shape that answers as GitHub does, honouring Accept.</summary>
    public static IdpShape Shape { get; } = Create(honourAccept: true);

    /// <summary>The same server behind a proxy that drops Accept: always form-encoded.</summary>
    public static IdpShape FormOnly { get; } = Create(honourAccept: false);

    private static IdpShape Create(bool honourAccept) => new()
    {
        Name = honourAccept ? "GitHub" : "GitHub (form-encoded)",
        TokenPath = "/login/oauth/access_token",
        AccessTokenPrefix = "ghu_",
        RefreshTokenPrefix = "ghr_",
        Rotation = RotationPolicy.StrictWithReuseDetection,
        Success = grant => Answer(grant.Request, honourAccept, 200,
            ("access_token", grant.AccessToken),
            ("expires_in", "28800"),
            ("refresh_token", grant.RefreshToken ?? ""),
            ("refresh_token_expires_in", RefreshTokenExpiresIn.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("scope", ""),
            ("token_type", "bearer")),
        InvalidGrant = request => Answer(request, honourAccept, 200,
            ("error", "bad_refresh_token"),
            ("error_description", "The refresh token passed is incorrect or expired."),
            ("error_uri", "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors")),
        InvalidClient = request => Answer(request, honourAccept, 200,
            ("error", "incorrect_client_credentials"),
            ("error_description", "The client_id and/or client_secret passed are incorrect."),
            ("error_uri", "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors")),
    };

    private static FixtureResponse Answer(FixtureRequest request, bool honourAccept, int status, params (string Name, string Value)[] fields)
    {
        if (honourAccept && request.Accept.Contains("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return FixtureResponse.Json(status, fields.ToDictionary(
                f => f.Name,
                f => f.Name.EndsWith("expires_in", StringComparison.Ordinal) ? (object)long.Parse(f.Value, System.Globalization.CultureInfo.InvariantCulture) : f.Value));
        }

        return FixtureResponse.Form(status, fields);
    }
}
