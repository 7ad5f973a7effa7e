using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RemoteWorkloadOperator.Testing.AuthServer;

/// <summary>
/// Clients that authenticate with a token from a trusted outside issuer (a Kubernetes cluster's service-account issuer)
/// as their <c>jwt-bearer</c> client assertion: a federated identity credential as Entra ID defines one
/// (https://learn.microsoft.com/en-us/graph/api/resources/federatedidentitycredentials-overview): an issuer, a subject
/// and an audience. The issuer's keys are found as Entra ID finds them: its OpenID Connect discovery document, then
/// <c>jwks_uri</c>.
/// OpenIddict 7 validates client assertions only as <c>private_key_jwt</c> (iss = sub = client_id, typ
/// client-authentication+jwt, keys of the client itself), so for these clients its own validation is switched off
/// and this class checks the assertion: signature by a key of the issuer's JWKS, iss, sub, aud, exp, and a
/// <c>jti</c> not seen before. A second instance holds the issuers trusted for RFC 8693 subject tokens.
/// </summary>
internal sealed class FederatedCredentialRegistry
{
    private readonly ConcurrentDictionary<string, FederatedCredential> _credentials = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _seenIds = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _presented = new();
    private readonly JsonWebTokenHandler _handler = new();
    private int _replays;
    private int _accepted;

    /// <summary>Assertions refused because their <c>jti</c> had been used before.</summary>
    public int Replays => Volatile.Read(ref _replays);

    /// <summary>Assertions accepted.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Every assertion presented by a federated client, so tests can search logs and status for them.</summary>
    public IEnumerable<string> Presented => _presented;

    public void Register(string clientId, FederatedCredential credential) => _credentials[clientId] = credential;

    public bool IsFederated(string? clientId) => clientId is not null && _credentials.ContainsKey(clientId);

    public async Task<string?> ValidateAsync(string? clientId, string? assertion, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (clientId is null || !_credentials.TryGetValue(clientId, out var credential))
        {
            return "unknown client";
        }

        if (string.IsNullOrEmpty(assertion))
        {
            return "this client authenticates with a federated credential (client_assertion)";
        }

        _presented.Enqueue(assertion);
        IList<SecurityKey> keys;
        try
        {
            keys = await credential.KeysAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or System.Text.Json.JsonException)
        {
            return $"the federated issuer's keys could not be read ({e.GetType().Name})";
        }

        var result = await _handler.ValidateTokenAsync(assertion, AssertionValidation.Parameters(keys, credential.Issuer, [credential.Audience], now)).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return $"token not issued by the federated issuer for this audience ({result.Exception?.GetType().Name})";
        }

        var token = (JsonWebToken)result.SecurityToken;
        if (!token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var subject) || subject != credential.Subject)
        {
            return "token subject does not match the federated credential";
        }

        if (!string.IsNullOrEmpty(token.Id) && !_seenIds.TryAdd(token.Id, 0))
        {
            Interlocked.Increment(ref _replays);
            return "token jti was already used";
        }

        Interlocked.Increment(ref _accepted);
        return null;
    }
}
