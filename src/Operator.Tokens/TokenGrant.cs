namespace RemoteWorkloadOperator.Tokens;

/// <summary>A successful token response. <see cref="ToString"/> never prints a token.</summary>
/// <param name="AccessToken">The access token.</param>
/// <param name="TokenType">Normalised token type (always <c>Bearer</c> today).</param>
/// <param name="IssuedAt">When the request was sent.</param>
/// <param name="ExpiresAt">From <c>expires_in</c>; null when the IdP gave none (Salesforce).</param>
/// <param name="Scope">Granted scope, if stated.</param>
/// <param name="RefreshToken">A new (rotated) refresh token, if any.</param>
/// <param name="RefreshTokenExpiresAt">When the refresh token itself stops working, from Keycloak's
/// <c>refresh_expires_in</c> or GitHub's <c>refresh_token_expires_in</c>; null when unstated.</param>
/// <param name="DiscoveredIssuer">The issuer discovery found (null with a direct token URL).</param>
/// <param name="TokenEndpoint">The token endpoint the grant came from.</param>
public sealed record TokenGrant(
    string AccessToken,
    string TokenType,
    DateTimeOffset IssuedAt,
    DateTimeOffset? ExpiresAt,
    string? Scope,
    string? RefreshToken,
    DateTimeOffset? RefreshTokenExpiresAt = null,
    string? DiscoveredIssuer = null,
    Uri? TokenEndpoint = null)
{
    /// <summary>
    /// <c>x5t#S256:&lt;thumbprint&gt;</c> when the access token is bound to a client certificate (RFC 8705 §3): the
    /// consumer must present the same certificate with it. Null for a bearer token.
    /// </summary>
    public string? TokenBinding { get; init; }

    /// <summary>Where <see cref="ExpiresAt"/> came from (<see cref="Entities.ExpirySources"/>); null when the client did not say.</summary>
    public string? ExpirySource { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"TokenGrant {{ AccessToken = ***, TokenType = {TokenType}, IssuedAt = {IssuedAt:O}, ExpiresAt = {ExpiresAt:O}, Scope = {Scope}, RefreshToken = {(RefreshToken is null ? "none" : "***")}, RefreshTokenExpiresAt = {RefreshTokenExpiresAt:O}, ExpirySource = {ExpirySource}, DiscoveredIssuer = {DiscoveredIssuer} }}";
}

/// <summary>
/// Either a grant or a classified failure. Our own stop surfaces as <see cref="OperationCanceledException"/>.
/// <see cref="ToString"/> never prints a token.
/// </summary>
public sealed record TokenRequestResult(TokenGrant? Grant, TokenFailure? Failure)
{
    /// <summary>
    /// A refresh token found in a 2xx answer that failed as a whole (absurd fields, an unpublishable token type, no
    /// access token): the IdP has rotated all the same, so the one presented is spent and this one must be stored.
    /// </summary>
    public string? RefreshTokenOfFailedAnswer { get; init; }

    /// <summary>The refresh token the IdP issued with this answer, usable or not; null when it issued none.</summary>
    public string? IssuedRefreshToken => Grant?.RefreshToken ?? RefreshTokenOfFailedAnswer;

    /// <summary>Success.</summary>
    public static TokenRequestResult Success(TokenGrant grant) => new(grant, null);

    /// <summary>Failure.</summary>
    public static TokenRequestResult Failed(TokenFailure failure) => new(null, failure);

    /// <summary>Failure of a 2xx answer that nevertheless carried a new refresh token.</summary>
    public static TokenRequestResult Failed(TokenFailure failure, string? issuedRefreshToken) =>
        new(null, failure) { RefreshTokenOfFailedAnswer = issuedRefreshToken };

    /// <inheritdoc />
    public override string ToString() =>
        $"TokenRequestResult {{ Grant = {Grant}, Failure = {Failure}, RefreshTokenOfFailedAnswer = {(RefreshTokenOfFailedAnswer is null ? "none" : "***")} }}";
}

/// <summary>One request to the token endpoint (discovery included). Implemented by <see cref="TokenEndpointClient"/>.</summary>
public interface ITokenEndpointClient
{
    /// <summary>
    /// Requests a token with <paramref name="config"/>'s grant. Never throws for IdP or network failures (they are
    /// classified); throws <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    Task<TokenRequestResult> RequestTokenAsync(TokenMonitorConfig config, MonitorCredentials credentials, CancellationToken cancellationToken);
}
