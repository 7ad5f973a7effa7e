using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>Everything one monitor needs to know about its workload. No Kubernetes types.</summary>
public sealed record TokenMonitorConfig
{
    /// <summary>A stable key for logs, for example <c>namespace/name</c>.</summary>
    public required string WorkloadKey { get; init; }

    /// <summary>Issuer for discovery (RFC 8414, then OIDC). At most one of <see cref="Issuer"/> and <see cref="TokenEndpoint"/>.</summary>
    public Uri? Issuer { get; init; }

    /// <summary>Direct token endpoint.</summary>
    public Uri? TokenEndpoint { get; init; }

    /// <summary>
    /// The workload's own URL. With neither <see cref="Issuer"/> nor <see cref="TokenEndpoint"/>, its RFC 9728
    /// protected-resource metadata names the authorization server, and its canonical form is the default resource.
    /// </summary>
    public Uri? ResourceUrl { get; init; }

    /// <summary>Which of the resource's authorization servers to use when its metadata lists several.</summary>
    public Uri? AuthorizationServer { get; init; }

    /// <summary>The grant.</summary>
    public GrantType Grant { get; init; } = GrantType.RefreshToken;

    /// <summary>OAuth client id (public metadata).</summary>
    public string? ClientId { get; init; }

    /// <summary>Client authentication method.</summary>
    public ClientAuthenticationMethod ClientAuthentication { get; init; } = ClientAuthenticationMethod.ClientSecretBasic;

    /// <summary>With <see cref="ClientAuthenticationMethod.PrivateKeyJwt"/>: the assertion's <c>kid</c> (null: the JWK's own, if any).</summary>
    public string? KeyId { get; init; }

    /// <summary>With <see cref="ClientAuthenticationMethod.PrivateKeyJwt"/>: RS256, PS256 or ES256 (null: from the key type).</summary>
    public string? SigningAlgorithm { get; init; }

    /// <summary>With <see cref="ClientAuthenticationMethod.PrivateKeyJwt"/>: true to name the discovered issuer as <c>aud</c> instead of the token endpoint.</summary>
    public bool AssertionAudienceIsIssuer { get; init; }

    /// <summary>With <see cref="ClientAuthenticationMethod.ServiceAccountToken"/>: the ServiceAccount's name (for remediation hints).</summary>
    public string? ServiceAccountName { get; init; }

    /// <summary>With <see cref="ClientAuthenticationMethod.ServiceAccountToken"/>: the token's audience (for remediation hints).</summary>
    public string? ServiceAccountAudience { get; init; }

    /// <summary>With <see cref="GrantType.TokenExchange"/>: <c>subject_token_type</c>.</summary>
    public string SubjectTokenType { get; init; } = "urn:ietf:params:oauth:token-type:jwt";

    /// <summary>With <see cref="GrantType.TokenExchange"/>: <c>requested_token_type</c>, if any.</summary>
    public string? RequestedTokenType { get; init; }

    /// <summary>With <see cref="GrantType.TokenExchange"/>: <c>audience</c>, if any.</summary>
    public string? ExchangeAudience { get; init; }

    /// <summary>Requested scopes (space-joined on the wire).</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>RFC 8707 resource indicator.</summary>
    public string? Resource { get; init; }

    /// <summary>Timing and retry settings.</summary>
    public MonitorTiming Timing { get; init; } = MonitorTiming.Default;

    /// <summary>The endpoint a human would recognise, for messages (host only, never a query).</summary>
    internal string EndpointDisplay => (TokenEndpoint ?? Issuer ?? ResourceUrl)?.Authority ?? "token endpoint";
}
