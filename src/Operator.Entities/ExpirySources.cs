namespace RemoteWorkloadOperator.Entities;

/// <summary>Values of <c>status.token.expirySource</c>: where the published access token's expiry came from.</summary>
public static class ExpirySources
{
    /// <summary>The token endpoint's <c>expires_in</c> (RFC 6749 §5.1).</summary>
    public const string ExpiresIn = "expires_in";

    /// <summary>No usable <c>expires_in</c>: the <c>exp</c> claim of the access token, which is a JWT (RFC 7519 §4.1.4).</summary>
    public const string Jwt = "jwt";

    /// <summary>Neither: no expiry is known, and the token is refreshed on the tick interval.</summary>
    public const string Default = "default";
}
