using Microsoft.IdentityModel.JsonWebTokens;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// The expiry of a new access token and where it came from: <c>expires_in</c> when the IdP stated a usable one; else,
/// when the access token is a JWT, its <c>exp</c> claim (RFC 7519 §4.1.4; read, not verified: the operator is not the
/// token's audience, it only needs to know when to refresh); else none (<see cref="ExpirySources.Default"/>: refreshed
/// on the tick). An <c>exp</c> not after the issue time or further than <see cref="StatedLifetime.Longest"/> is ignored.
/// </summary>
internal static class AccessTokenExpiry
{
    public static (DateTimeOffset? ExpiresAt, string Source) Of(DateTimeOffset issuedAt, long? expiresIn, string accessToken)
    {
        if (StatedLifetime.EndOf(issuedAt, expiresIn) is { } stated)
        {
            return (stated, ExpirySources.ExpiresIn);
        }

        return JwtExpiry(accessToken) is { } exp && exp > issuedAt && exp - issuedAt <= StatedLifetime.Longest
            ? (exp, ExpirySources.Jwt)
            : (null, ExpirySources.Default);
    }

    private static DateTimeOffset? JwtExpiry(string accessToken)
    {
        // Three dot-separated parts, or it is an opaque token: no parse attempted (and no exception) for those.
        if (accessToken.Count(c => c == '.') != 2)
        {
            return null;
        }

        try
        {
            var jwt = new JsonWebToken(accessToken);
            return jwt.TryGetPayloadValue<long>("exp", out var seconds) && seconds > 0 && seconds < 253_402_300_799
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (ArgumentException)
        {
            // Not a JWT after all (its parts are not base64url JSON).
            return null;
        }
    }
}
