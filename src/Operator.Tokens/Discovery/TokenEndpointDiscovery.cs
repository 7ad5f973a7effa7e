using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace RemoteWorkloadOperator.Tokens.Discovery;

/// <summary>
/// Finds the token endpoint: from an issuer (RFC 8414 path-aware metadata, then OIDC Discovery), or from the
/// workload's own URL (RFC 9728 protected-resource metadata naming the authorization server, then that
/// server's metadata). Only <c>issuer</c> and <c>token_endpoint</c> are used; no key set is fetched, because
/// the operator validates no JWT and a JWKS outage must not block tokens. Results are cached for
/// <see cref="TokenClientOptions.DiscoveryCacheDuration"/>; <see cref="Forget"/> drops one after a failure.
/// Every hop is an ordinary request of the token HttpClient, so the endpoint guard sees each one.
/// </summary>
internal sealed class TokenEndpointDiscovery(MetadataFetcher fetcher, IHttpClientFactory httpClientFactory, TimeProvider timeProvider, TokenClientOptions options)
{
    private readonly ConcurrentDictionary<string, Cached> _cache = new(StringComparer.Ordinal);

    /// <summary>Discovers from an issuer.</summary>
    public Task<DiscoveryResult> FromIssuerAsync(Uri issuer, CancellationToken stopToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return CachedAsync(IssuerKey(issuer), () => AuthorizationServerAsync(issuer.OriginalString, issuer, stopToken));
    }

    /// <summary>
    /// Discovers from a protected resource: its metadata names the authorization server (the only one, or
    /// <paramref name="authorizationServer"/>), whose metadata names the token endpoint.
    /// </summary>
    public Task<DiscoveryResult> FromResourceAsync(Uri resource, Uri? authorizationServer, CancellationToken stopToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return CachedAsync(ResourceKey(resource, authorizationServer), () => ProtectedResourceAsync(resource, authorizationServer, stopToken));
    }

    /// <summary>Drops a cached issuer result so the next request discovers again.</summary>
    public void Forget(Uri issuer) => _cache.TryRemove(IssuerKey(issuer), out _);

    /// <summary>Drops a cached resource result so the next request discovers again.</summary>
    public void Forget(Uri resource, Uri? authorizationServer) => _cache.TryRemove(ResourceKey(resource, authorizationServer), out _);

    /// <summary>The canonical form of a resource URL for RFC 8707: lower-case scheme and host, no fragment, no trailing slash on the root.</summary>
    public static string CanonicalResource(Uri resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var path = resource.AbsolutePath == "/" ? string.Empty : resource.AbsolutePath;
        return $"{resource.Scheme.ToLowerInvariant()}://{resource.Authority.ToLowerInvariant()}{path}{resource.Query}";
    }

    private static string IssuerKey(Uri issuer) => "issuer " + IssuerComparison.Normalise(issuer.OriginalString);

    private static string ResourceKey(Uri resource, Uri? authorizationServer) =>
        $"resource {CanonicalResource(resource)} {authorizationServer?.OriginalString}";

    private async Task<DiscoveryResult> CachedAsync(string key, Func<Task<DiscoveryResult>> discover)
    {
        var now = timeProvider.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.ExpiresAt > now)
        {
            return DiscoveryResult.Found(cached.Endpoint);
        }

        var result = await discover().ConfigureAwait(false);
        if (result.Endpoint is { } endpoint)
        {
            _cache[key] = new Cached(endpoint, timeProvider.GetUtcNow() + options.DiscoveryCacheDuration);
        }
        else
        {
            _cache.TryRemove(key, out _);
        }

        return result;
    }

    private async Task<DiscoveryResult> AuthorizationServerAsync(string expectedIssuer, Uri issuer, CancellationToken stopToken)
    {
        var misses = new List<MetadataAnswer>();
        TokenFailure? unusable = null;
        foreach (var location in MetadataLocations.ForIssuer(issuer))
        {
            var answer = await fetcher.GetAsync(location, stopToken).ConfigureAwait(false);
            if (answer.Outcome != MetadataOutcome.Document)
            {
                misses.Add(answer);
                continue;
            }

            var checkedDocument = CheckAuthorizationServer(answer.Document, expectedIssuer, location);
            if (checkedDocument.Endpoint is not null)
            {
                return checkedDocument;
            }

            // A document that exists but is wrong outranks 404s elsewhere; a later location may still be right.
            unusable ??= checkedDocument.Failure;
        }

        return DiscoveryResult.Failed(Summarise(misses, unusable, $"no authorization server metadata for issuer {Sanitizer.Url(issuer)}"));
    }

    private DiscoveryResult CheckAuthorizationServer(JsonElement document, string expectedIssuer, Uri location)
    {
        var where = Sanitizer.Url(location);
        var issuer = StringProperty(document, "issuer");
        if (issuer is null)
        {
            return Nonsense($"{where} has no issuer");
        }

        if (!IssuerComparison.Same(issuer, expectedIssuer))
        {
            return Nonsense($"{where} names issuer {Sanitizer.Url(issuer)}, expected {Sanitizer.Url(expectedIssuer)}");
        }

        var tokenEndpoint = StringProperty(document, "token_endpoint");
        if (tokenEndpoint is null)
        {
            return Nonsense($"{where} has no token_endpoint");
        }

        if (!Uri.TryCreate(tokenEndpoint, UriKind.Absolute, out var endpoint)
            || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp)
            || endpoint.Fragment.Length > 0
            || endpoint.UserInfo.Length > 0)
        {
            return Nonsense($"{where} has an unusable token_endpoint {Sanitizer.Url(tokenEndpoint)}");
        }

        if (WhyInsecure(endpoint) is { } insecure)
        {
            return Nonsense($"{where} has token_endpoint {Sanitizer.Url(endpoint)}: {insecure}");
        }

        return DiscoveryResult.Found(new DiscoveredEndpoint(issuer, endpoint, location) { MutualTlsTokenEndpoint = MutualTlsAlias(document) });
    }

    /// <summary>
    /// The RFC 8705 §5 alias of the token endpoint (https only: a certificate is presented in a TLS handshake). An
    /// unusable alias is ignored rather than refused, so the checked token endpoint is used: a server that insists on
    /// its alias then answers there with an error the workload reports.
    /// </summary>
    private Uri? MutualTlsAlias(JsonElement document)
    {
        if (!document.TryGetProperty("mtls_endpoint_aliases", out var aliases) || aliases.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return StringProperty(aliases, "token_endpoint") is { } alias
            && Uri.TryCreate(alias, UriKind.Absolute, out var endpoint)
            && endpoint.Scheme == Uri.UriSchemeHttps
            && endpoint.Fragment.Length == 0
            && endpoint.UserInfo.Length == 0
            && WhyInsecure(endpoint) is null
                ? endpoint
                : null;
    }

    private async Task<DiscoveryResult> ProtectedResourceAsync(Uri resource, Uri? preferred, CancellationToken stopToken)
    {
        var locations = new List<Uri>();
        var probe = await ProbeChallengeAsync(resource, stopToken).ConfigureAwait(false);
        if (probe is not null)
        {
            if (WhyInsecure(probe) is { } insecure)
            {
                return Nonsense($"resource_metadata {Sanitizer.Url(probe)} named by {Sanitizer.Url(resource)}: {insecure}");
            }

            locations.Add(probe);
        }

        locations.AddRange(MetadataLocations.ForResource(resource).Where(l => l != probe));
        var misses = new List<MetadataAnswer>();
        TokenFailure? unusable = null;
        foreach (var location in locations)
        {
            var answer = await fetcher.GetAsync(location, stopToken).ConfigureAwait(false);
            if (answer.Outcome != MetadataOutcome.Document)
            {
                misses.Add(answer);
                continue;
            }

            var chosen = ChooseAuthorizationServer(answer.Document, resource, preferred, location);
            if (chosen.Failure is not null)
            {
                unusable ??= chosen.Failure;
                continue;
            }

            var server = await AuthorizationServerAsync(chosen.Issuer!, new Uri(chosen.Issuer!), stopToken).ConfigureAwait(false);
            return server.Endpoint is { } endpoint
                ? DiscoveryResult.Found(endpoint with { Resource = CanonicalResource(resource) })
                : server;
        }

        return DiscoveryResult.Failed(Summarise(misses, unusable, $"no protected resource metadata for {Sanitizer.Url(resource)}"));
    }

    private (string? Issuer, TokenFailure? Failure) ChooseAuthorizationServer(JsonElement document, Uri resource, Uri? preferred, Uri location)
    {
        var where = Sanitizer.Url(location);
        var declared = StringProperty(document, "resource");
        if (declared is null || !Covers(declared, resource))
        {
            return (null, NonsenseFailure($"{where} describes resource {Sanitizer.Url(declared ?? "(none)")}, not {Sanitizer.Url(resource)}"));
        }

        var servers = new List<string>();
        if (document.TryGetProperty("authorization_servers", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            servers.AddRange(list.EnumerateArray()
                .Where(e => e.ValueKind == JsonValueKind.String && Uri.TryCreate(e.GetString(), UriKind.Absolute, out _))
                .Select(e => e.GetString()!));
        }

        if (servers.Count == 0)
        {
            return (null, NonsenseFailure($"{where} lists no authorization_servers"));
        }

        string? issuer;
        if (preferred is not null)
        {
            issuer = servers.FirstOrDefault(s => IssuerComparison.Same(s, preferred.OriginalString));
            if (issuer is null)
            {
                return (null, NonsenseFailure($"{where} does not list spec.oauth.authorizationServer {Sanitizer.Url(preferred)} (it lists {string.Join(", ", servers.Take(3).Select(Sanitizer.Url))})"));
            }
        }
        else if (servers.Count == 1)
        {
            issuer = servers[0];
        }
        else
        {
            return (null, NonsenseFailure($"{where} lists {servers.Count} authorization servers ({string.Join(", ", servers.Take(3).Select(Sanitizer.Url))}); set spec.oauth.authorizationServer to choose one"));
        }

        var issuerUri = new Uri(issuer);
        return WhyInsecure(issuerUri) is { } insecure
            ? (null, NonsenseFailure($"authorization server {Sanitizer.Url(issuerUri)}: {insecure}"))
            : (issuer, null);
    }

    /// <summary>
    /// A GET of the resource without credentials: an MCP server answers 401 with
    /// <c>WWW-Authenticate: Bearer resource_metadata="..."</c>. Any other answer or a network failure just means
    /// there is no challenge to read; the well-known locations are tried next.
    /// </summary>
    private async Task<Uri?> ProbeChallengeAsync(Uri resource, CancellationToken stopToken)
    {
        using var timeout = new CancellationTokenSource(options.RequestTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopToken, timeout.Token);
        var http = httpClientFactory.CreateClient(TokenClientOptions.HttpClientName);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, resource);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.Unauthorized
                ? WwwAuthenticateParser.ResourceMetadata(response.Headers.WwwAuthenticate.Select(h => (h.Scheme, h.Parameter)))
                : null;
        }
        catch (Exception) when (!stopToken.IsCancellationRequested)
        {
            return null;
        }
    }

    // RFC 9728 section 3.3 wants the resource identical to the URL the metadata was found for; a server whose
    // metadata names its origin or a parent path while the workload points at a deeper URL is accepted too.
    private static bool Covers(string declared, Uri resource)
    {
        if (!Uri.TryCreate(declared, UriKind.Absolute, out var declaredUri))
        {
            return false;
        }

        var a = CanonicalResource(declaredUri);
        var b = CanonicalResource(resource);
        return a == b || (b.StartsWith(a, StringComparison.Ordinal) && (a.EndsWith('/') || b[a.Length] == '/'));
    }

    private string? WhyInsecure(Uri uri)
    {
        if (uri.Scheme == Uri.UriSchemeHttps || options.AllowInsecureEndpoints || uri.IsLoopback)
        {
            return null;
        }

        return "not https (run the operator with --allow-insecure-endpoints to allow http in development)";
    }

    // Transient misses win (retrying may help); then a wrong document; only when every location answered 404 is it a
    // permanent "there is no metadata here", which a retry cannot fix.
    private static TokenFailure Summarise(List<MetadataAnswer> misses, TokenFailure? unusable, string nothing)
    {
        if (misses.FirstOrDefault(m => m.Outcome == MetadataOutcome.Unavailable) is { } transient)
        {
            return transient.Failure!;
        }

        if (unusable is not null)
        {
            return unusable;
        }

        if (misses.FirstOrDefault(m => m.Outcome == MetadataOutcome.Unusable) is { } unusableAnswer)
        {
            return unusableAnswer.Failure!;
        }

        var tried = string.Join(", ", misses.Select(m => Sanitizer.Url(m.Location)));
        return TokenFailureClassifier.DiscoveryNonsense($"{nothing}: 404 from {tried}", maxLength: 600);
    }

    private static string? StringProperty(JsonElement document, string name) =>
        document.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static DiscoveryResult Nonsense(string detail) => DiscoveryResult.Failed(NonsenseFailure(detail));

    private static TokenFailure NonsenseFailure(string detail) => TokenFailureClassifier.DiscoveryNonsense(detail, maxLength: 600);

    private sealed record Cached(DiscoveredEndpoint Endpoint, DateTimeOffset ExpiresAt);
}
