using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Security;

/// <summary>Static bearer tokens mapped to identities (like a token-auth file).</summary>
public sealed class TokenAuthenticator
{
    private readonly ConcurrentDictionary<string, Identity> _tokens = new(StringComparer.Ordinal);

    public string Issue(Identity identity)
    {
        var existing = _tokens.FirstOrDefault(p => p.Value == identity).Key;
        if (existing is not null)
        {
            return existing;
        }

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _tokens[token] = identity;
        return token;
    }

    public void Register(string token, Identity identity) => _tokens[token] = identity;

    public Identity? Authenticate(string? authorizationHeader)
    {
        if (authorizationHeader is null || !authorizationHeader.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return _tokens.TryGetValue(authorizationHeader[7..].Trim(), out var identity) ? identity : null;
    }
}
