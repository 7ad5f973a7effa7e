using Microsoft.IdentityModel.Tokens;

namespace RemoteWorkloadOperator.Testing.AuthServer;

/// <summary>How this server checks a JWT a client presents (a private_key_jwt assertion or a federated token): signed
/// by the given keys, from the issuer, for an audience, unexpired, with the 30 s of clock skew real servers allow.</summary>
internal static class AssertionValidation
{
    public static TokenValidationParameters Parameters(IEnumerable<SecurityKey> keys, string issuer, IEnumerable<string> audiences, DateTimeOffset now) => new()
    {
        IssuerSigningKeys = keys,
        ValidIssuer = issuer,
        ValidAudiences = audiences,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        LifetimeValidator = (notBefore, expires, _, _) => expires is { } exp && exp > now.UtcDateTime.AddSeconds(-30) && (notBefore is null || notBefore <= now.UtcDateTime.AddSeconds(30)),
    };
}
