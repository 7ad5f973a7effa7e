namespace RemoteWorkloadOperator.Tokens.Discovery;

/// <summary>
/// Where tokens come from, as discovery found it.
/// </summary>
/// <param name="Issuer">The authorization server's issuer as its metadata states it.</param>
/// <param name="TokenEndpoint">The token endpoint from the metadata.</param>
/// <param name="MetadataLocation">The document the token endpoint was read from (for messages).</param>
/// <param name="Resource">The RFC 8707 resource to send when the spec gives none (set when found from protected-resource metadata).</param>
internal sealed record DiscoveredEndpoint(string Issuer, Uri TokenEndpoint, Uri MetadataLocation, string? Resource = null)
{
    /// <summary>RFC 8705 §5 <c>mtls_endpoint_aliases.token_endpoint</c>: where the mutual-TLS methods send their requests, when the server names one.</summary>
    public Uri? MutualTlsTokenEndpoint { get; init; }
}

/// <summary>A discovered endpoint or the classified failure.</summary>
internal sealed record DiscoveryResult(DiscoveredEndpoint? Endpoint, TokenFailure? Failure)
{
    /// <summary>Success.</summary>
    public static DiscoveryResult Found(DiscoveredEndpoint endpoint) => new(endpoint, null);

    /// <summary>Failure.</summary>
    public static DiscoveryResult Failed(TokenFailure failure) => new(null, failure);
}
