using System.Text.Json;

namespace RemoteWorkloadOperator.Tokens.Discovery;

/// <summary>What one GET of a metadata location produced.</summary>
internal enum MetadataOutcome
{
    /// <summary>2xx with a JSON object.</summary>
    Document,

    /// <summary>404 or 410: nothing at this location, try the next one.</summary>
    NotFound,

    /// <summary>Anything else (network, 5xx, 429, a WAF page, a non-JSON body): transient.</summary>
    Unavailable,

    /// <summary>An answer that will never be usable (too large, a redirect that is not followed): permanent.</summary>
    Unusable,
}

/// <summary>One metadata GET: the document, or why there is none. <see cref="Failure"/> is set unless a document was found.</summary>
internal sealed record MetadataAnswer(Uri Location, MetadataOutcome Outcome, JsonElement Document, TokenFailure? Failure)
{
    /// <summary>A usable JSON object.</summary>
    public static MetadataAnswer Found(Uri location, JsonElement document) => new(location, MetadataOutcome.Document, document, null);

    /// <summary>404/410.</summary>
    public static MetadataAnswer Missing(Uri location, int status) => new(
        location,
        MetadataOutcome.NotFound,
        default,
        TokenFailureClassifier.DiscoveryNonsense($"HTTP {status} from {Sanitizer.Url(location)}"));

    /// <summary>A permanent failure of this location (<see cref="MetadataOutcome.Unusable"/>).</summary>
    public static MetadataAnswer Unusable(Uri location, TokenFailure failure) => new(location, MetadataOutcome.Unusable, default, failure);

    /// <summary>A transient failure.</summary>
    public static MetadataAnswer Unavailable(Uri location, TokenFailure failure) => new(location, MetadataOutcome.Unavailable, default, failure);
}
