using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace RemoteWorkloadOperator.Testing.AuthServer;

/// <summary>State that survives a listener stop/start: clients, refresh-token bookkeeping, faults, counters.</summary>
internal sealed class AuthServerState(AuthServerOptions options)
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, string?> _clients = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedRefreshTokenIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _revokedFamilies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _familyClients = new(StringComparer.Ordinal);
    private readonly List<DateTimeOffset> _tokenRequests = [];
    private AuthServerFault _tokenFault;
    private int? _tokenFaultRemaining;
    private AuthServerFault _discoveryFault;

    public AuthServerOptions Options { get; } = options;

    public TimeSpan AccessTokenLifetime { get; set; } = options.AccessTokenLifetime;

    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(7);

    public bool IssueRefreshTokenOnRefresh { get; set; } = true;

    /// <summary>When set, TLS handshakes are answered with this fatal alert (see <see cref="TlsIncidentLayer"/>).</summary>
    public byte? TlsAlert { get; set; }

    /// <summary>Connections of the TLS listener that completed their handshake and are still open.</summary>
    public ConcurrentDictionary<string, Microsoft.AspNetCore.Connections.ConnectionContext> OpenTlsConnections { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, successful token answers state this <c>expires_in</c> (see <see cref="ExpiresInRewrite"/>).</summary>
    public decimal? ExpiresInOverride { get; set; }

    public int RefreshTokensIssued;

    /// <summary>Refresh tokens presented a second time (each revoked its family).</summary>
    public int ReusedRefreshTokens { get; private set; }

    /// <summary>Token requests answered <c>invalid_grant</c>.</summary>
    public int InvalidGrants;

    private HeldReply? _hold;

    /// <summary>Holds the reply to the next token request (see <see cref="HeldReply"/>).</summary>
    public HeldReply HoldNextReply()
    {
        var hold = new HeldReply();
        Volatile.Write(ref _hold, hold);
        return hold;
    }

    /// <summary>The hold for this request, if one was asked for (taken once).</summary>
    public HeldReply? TakeHold() => Interlocked.Exchange(ref _hold, null);

    public CancellationTokenSource Hangs { get; set; } = new();

    public void RegisterClient(string clientId, string? secret) => _clients[clientId] = secret;

    public ClientAssertionRegistry Assertions { get; } = new();

    public FederatedCredentialRegistry Federations { get; } = new();

    /// <summary>RFC 8705 clients and the test CA.</summary>
    public MutualTlsClientRegistry MutualTls { get; } = new();

    /// <summary>Token requests that arrived at the mutual-TLS alias of the token endpoint.</summary>
    public int MutualTlsAliasRequests;

    /// <summary>Per client: the outside issuer, subject and audience its RFC 8693 subject tokens must have.</summary>
    public FederatedCredentialRegistry SubjectTokens { get; } = new();

    public bool ValidateClient(string? clientId, string? secret, out string description)
    {
        if (clientId is null || !_clients.TryGetValue(clientId, out var expected))
        {
            description = "unknown client";
            return false;
        }

        if (expected is null)
        {
            description = secret is null ? string.Empty : "public clients must not send a secret";
            return secret is null;
        }

        var ok = secret is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(secret));
        description = ok ? string.Empty : "client authentication failed";
        return ok;
    }

    public string NewFamily(string clientId)
    {
        var family = Guid.NewGuid().ToString("N");
        lock (_gate)
        {
            _familyClients[family] = clientId;
        }

        return family;
    }

    /// <summary>Redeems a refresh token once. A reused token revokes its whole family (reuse detection).</summary>
    public bool TryRedeem(string? tokenId, string? family, out string description)
    {
        lock (_gate)
        {
            if (tokenId is null || family is null)
            {
                description = "the refresh token is not one this server issued";
                return false;
            }

            if (_revokedFamilies.Contains(family))
            {
                description = "the refresh token was revoked";
                return false;
            }

            if (!_usedRefreshTokenIds.Add(tokenId))
            {
                ReusedRefreshTokens++;
                _revokedFamilies.Add(family);
                description = "the refresh token was already used; its family is revoked";
                return false;
            }

            description = string.Empty;
            return true;
        }
    }

    public void RevokeClient(string clientId)
    {
        lock (_gate)
        {
            foreach (var (family, client) in _familyClients)
            {
                if (client == clientId)
                {
                    _revokedFamilies.Add(family);
                }
            }
        }
    }

    public void SetTokenFault(AuthServerFault fault, int? times)
    {
        lock (_gate)
        {
            _tokenFault = fault;
            _tokenFaultRemaining = times;
        }
    }

    public AuthServerFault TokenFault
    {
        get
        {
            lock (_gate)
            {
                return _tokenFault;
            }
        }
    }

    public AuthServerFault DiscoveryFault
    {
        get
        {
            lock (_gate)
            {
                return _discoveryFault;
            }
        }

        set
        {
            lock (_gate)
            {
                _discoveryFault = value;
            }
        }
    }

    /// <summary>Records a token request and returns the fault to apply to it.</summary>
    public AuthServerFault OnTokenRequest(bool count)
    {
        lock (_gate)
        {
            if (count)
            {
                _tokenRequests.Add(Options.TimeProvider.GetUtcNow());
            }

            var fault = _tokenFault;
            if (fault != AuthServerFault.None && _tokenFaultRemaining is { } remaining)
            {
                _tokenFaultRemaining = remaining - 1;
                if (remaining - 1 <= 0)
                {
                    _tokenFault = AuthServerFault.None;
                    _tokenFaultRemaining = null;
                }
            }

            return fault;
        }
    }

    public IReadOnlyList<DateTimeOffset> TokenRequests
    {
        get
        {
            lock (_gate)
            {
                return [.. _tokenRequests];
            }
        }
    }

    public void ResetCounters()
    {
        lock (_gate)
        {
            _tokenRequests.Clear();
        }
    }
}
