namespace RemoteWorkloadOperator.Tokens;

/// <summary>A successful token response. <see cref="ToString"/> never prints a token.</summary>
public sealed record TokenGrant(
    string AccessToken,
    string TokenType,
    DateTimeOffset IssuedAt,
    DateTimeOffset? ExpiresAt,
    string? Scope,
    string? RefreshToken)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"TokenGrant {{ AccessToken = ***, TokenType = {TokenType}, IssuedAt = {IssuedAt:O}, ExpiresAt = {ExpiresAt:O}, Scope = {Scope}, RefreshToken = {(RefreshToken is null ? "none" : "***")} }}";
}

/// <summary>Either a grant or a classified failure. Our own stop surfaces as <see cref="OperationCanceledException"/>.</summary>
public sealed record TokenRequestResult(TokenGrant? Grant, TokenFailure? Failure)
{
    /// <summary>Success.</summary>
    public static TokenRequestResult Success(TokenGrant grant) => new(grant, null);

    /// <summary>Failure.</summary>
    public static TokenRequestResult Failed(TokenFailure failure) => new(null, failure);
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
