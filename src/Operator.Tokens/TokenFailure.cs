using RemoteWorkloadOperator.Entities;
namespace RemoteWorkloadOperator.Tokens;

/// <summary>Whether a failed request is worth retrying.</summary>
public enum FailureClass
{
    /// <summary>Retry: short retry, then AuthRetrying.</summary>
    Transient,

    /// <summary>Give up: Unauthenticated.</summary>
    Permanent,
}

/// <summary>What went wrong, more finely than the class (for logs, metrics and tests).</summary>
public enum FailureKind
{
    /// <summary>Name not resolved, resolver unreachable.</summary>
    Dns,

    /// <summary>Refused, reset, unreachable, closed mid-response.</summary>
    Connection,

    /// <summary>The per-request timeout passed.</summary>
    Timeout,

    /// <summary>Certificate invalid or untrusted, handshake failure.</summary>
    Tls,

    /// <summary>HTTP 5xx.</summary>
    ServerError,

    /// <summary>HTTP 429.</summary>
    RateLimited,

    /// <summary>A response that is not an OAuth answer (HTML from a WAF, CDN or proxy; empty; not JSON).</summary>
    NotOAuthResponse,

    /// <summary>An RFC 6749 error code.</summary>
    OAuthError,

    /// <summary>HTTP 2xx JSON without <c>access_token</c>, or an answer too large to read.</summary>
    InvalidTokenResponse,

    /// <summary>An HTTP 3xx from the token endpoint, which is never followed.</summary>
    Redirect,

    /// <summary>The discovery document was not usable.</summary>
    Discovery,

    /// <summary>A local port (rotated token sink, publisher, credentials) failed.</summary>
    Local,

    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>
/// A classified failure. <see cref="Description"/> is sanitised: it never contains a token, a secret or a full
/// response body, so it may go into <c>status.authRetry.lastError</c>, events and logs.
/// </summary>
public sealed record TokenFailure(
    FailureClass Class,
    FailureKind Kind,
    string Reason,
    string Description,
    int? HttpStatus = null,
    string? ErrorCode = null,
    TimeSpan? RetryAfter = null)
{
    /// <summary>True for <see cref="FailureClass.Transient"/>.</summary>
    public bool IsTransient => Class == FailureClass.Transient;

    /// <summary>
    /// True when the spec cannot work as written, whatever the IdP does: the endpoint guard refused a host the
    /// spec (or metadata it leads to) names. Such a failure belongs in phase Failed, not Unauthenticated: no new
    /// credential fixes it, only a changed spec or DNS.
    /// </summary>
    public bool SpecCannotWork => Class == FailureClass.Permanent && Reason == Reasons.EndpointNotAllowed;
}
