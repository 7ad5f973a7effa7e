namespace RemoteWorkloadOperator.Tokens;

/// <summary>Options of <see cref="TokenEndpointClient"/>.</summary>
public sealed record TokenClientOptions
{
    /// <summary>Name of the <see cref="IHttpClientFactory"/> client.</summary>
    public const string HttpClientName = "RemoteWorkloadOperator.Tokens";

    /// <summary>Per-request timeout (discovery and token requests each).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a discovered token endpoint is reused before discovery runs again (it is also dropped on any failure).</summary>
    public TimeSpan DiscoveryCacheDuration { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Allow <c>http://</c> beyond loopback for URLs found by discovery (token endpoints, metadata, authorization servers); development only.</summary>
    public bool AllowInsecureEndpoints { get; init; }
}
