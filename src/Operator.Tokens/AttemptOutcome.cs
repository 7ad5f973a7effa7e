namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// How one attempt (or one short retry) ended: a grant, a classified failure, or missing credentials. The
/// credentials version is the one the attempt used, so a remediation hint can be sent once per version.
/// </summary>
internal sealed record AttemptOutcome(TokenGrant? Grant, TokenFailure? Failure, string? CredentialsVersion, string? MissingReason, string? MissingMessage)
{
    /// <summary>A token was obtained (and its rotated refresh token persisted).</summary>
    public static AttemptOutcome Succeeded(TokenGrant grant, string version) => new(grant, null, version, null, null);

    /// <summary>The attempt failed; <paramref name="failure"/> says whether it can heal.</summary>
    public static AttemptOutcome Failed(TokenFailure failure, string? version) => new(null, failure, version, null, null);

    /// <summary>A referenced Secret or key is missing.</summary>
    public static AttemptOutcome Missing(string reason, string message) => new(null, null, null, reason, message);
}
