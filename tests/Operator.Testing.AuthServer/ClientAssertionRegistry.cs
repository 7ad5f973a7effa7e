using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RemoteWorkloadOperator.Testing.AuthServer;

/// <summary>
/// Clients that authenticate with <c>private_key_jwt</c> (RFC 7523 §2.2, §3) and the assertion ids already seen.
/// Checks what RFC 7523 §3 asks of the server: signature by the registered key, <c>iss</c> = <c>sub</c> = client id,
/// <c>aud</c> = the token endpoint or the issuer, <c>exp</c> present and at most five minutes after <c>iat</c>, and a
/// <c>jti</c> never used before.
/// </summary>
internal sealed class ClientAssertionRegistry
{
    /// <summary>The longest assertion lifetime accepted; Entra ID and Okta document the same bound.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, SecurityKey> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _seenIds = new(StringComparer.Ordinal);
    private readonly JsonWebTokenHandler _handler = new();
    private int _replays;
    private int _accepted;

    /// <summary>Assertions refused because their <c>jti</c> had been used before.</summary>
    public int Replays => Volatile.Read(ref _replays);

    /// <summary>Assertions accepted (signed by the key registered at the time).</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    public void Register(string clientId, SecurityKey publicKey) => _keys[clientId] = publicKey;

    public bool IsRegistered(string? clientId) => clientId is not null && _keys.ContainsKey(clientId);

    public SecurityKey? KeyOf(string? clientId) => clientId is not null && _keys.TryGetValue(clientId, out var key) ? key : null;

    public async Task<string?> ValidateAsync(string? clientId, string assertion, IEnumerable<string> audiences, DateTimeOffset now)
    {
        if (clientId is null || !_keys.TryGetValue(clientId, out var key))
        {
            return "unknown client";
        }

        var result = await _handler.ValidateTokenAsync(assertion, AssertionValidation.Parameters([key], clientId, audiences, now)).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return $"client assertion invalid ({result.Exception?.GetType().Name})";
        }

        var token = (JsonWebToken)result.SecurityToken;
        if (!token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var subject) || subject != clientId)
        {
            return "client assertion sub must equal the client id";
        }

        if (!token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var iat)
            || DateTimeOffset.FromUnixTimeSeconds(iat).Add(MaxLifetime) < token.ValidTo)
        {
            return "client assertion lifetime must be at most five minutes from iat";
        }

        if (string.IsNullOrEmpty(token.Id) || !_seenIds.TryAdd(token.Id, 0))
        {
            Interlocked.Increment(ref _replays);
            return "client assertion jti was already used";
        }

        Interlocked.Increment(ref _accepted);
        return null;
    }
}
