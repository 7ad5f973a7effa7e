using System.Net.Http.Headers;
using System.Text.Json;

namespace RemoteWorkloadOperator.Tokens.Discovery;

/// <summary>
/// A plain GET of a metadata document (RFC 8414, OIDC Discovery, RFC 9728). No library policy: the caller
/// checks issuer and endpoints itself, because a library's "endpoints under the authority" rule rejects real
/// servers (Google's token endpoint lives on another host, Entra ID's outside the issuer's path). A body
/// here is never read as an OAuth rejection: a metadata URL answering <c>{"error":...}</c> is an unusable
/// page, not a verdict on the credentials.
/// </summary>
internal sealed class MetadataFetcher(IHttpClientFactory httpClientFactory, TimeProvider timeProvider, TokenClientOptions options)
{
    /// <summary>
    /// Redirects followed per metadata GET. Real servers redirect at most once or twice (a trailing slash, http to
    /// https, a vanity host); each hop is an ordinary request of the token client, so the endpoint guard checks it.
    /// </summary>
    public const int MaxRedirects = 3;

    private static readonly HashSet<int> RedirectStatuses = [301, 302, 303, 307, 308];

    /// <summary>
    /// GETs <paramref name="location"/>, following up to <see cref="MaxRedirects"/> redirects (never from https to http
    /// unless <see cref="TokenClientOptions.AllowInsecureEndpoints"/>). Throws only <see cref="OperationCanceledException"/>
    /// for <paramref name="stopToken"/>. The answer is reported for <paramref name="location"/>, where discovery looked.
    /// </summary>
    public async Task<MetadataAnswer> GetAsync(Uri location, CancellationToken stopToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        var current = location;
        for (var hop = 0; ; hop++)
        {
            var (answer, redirect) = await GetOnceAsync(location, current, stopToken).ConfigureAwait(false);
            if (redirect is null)
            {
                return answer;
            }

            var from = Sanitizer.Url(current);
            if (hop == MaxRedirects)
            {
                return MetadataAnswer.Unusable(location, TokenFailureClassifier.DiscoveryNonsense($"{Sanitizer.Url(location)} redirects more than {MaxRedirects} times (last from {from})"));
            }

            if (WhyNotFollowed(current, redirect) is { } why)
            {
                return MetadataAnswer.Unusable(location, TokenFailureClassifier.DiscoveryNonsense($"{from} redirects to {Sanitizer.Url(redirect)}, which is not followed: {why}"));
            }

            current = redirect;
        }
    }

    private async Task<(MetadataAnswer Answer, Uri? Redirect)> GetOnceAsync(Uri location, Uri current, CancellationToken stopToken)
    {
        var display = Sanitizer.Url(current);
        using var timeout = new CancellationTokenSource(options.RequestTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopToken, timeout.Token);
        var http = httpClientFactory.CreateClient(TokenClientOptions.HttpClientName);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (RedirectStatuses.Contains(status) && response.Headers.Location is { } target)
            {
                return (MetadataAnswer.Missing(location, status), new Uri(current, target));
            }

            if (status is 404 or 410)
            {
                return (MetadataAnswer.Missing(location, status), null);
            }

            // Bounded by the client's BoundedResponseHandler: a body over the limit throws ResponseTooLargeException.
            var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            var answer = new HttpAnswer(
                status,
                response.Content.Headers.ContentType?.MediaType,
                body,
                HttpAnswer.ParseRetryAfter(response.Headers.RetryAfter, timeProvider.GetUtcNow()));
            if (status is >= 200 and < 300 && TryParseObject(body) is { } document)
            {
                return (MetadataAnswer.Found(location, document), null);
            }

            return (MetadataAnswer.Unavailable(location, TokenFailureClassifier.ClassifyMetadataAnswer(answer, display)), null);
        }
        catch (Exception ex) when (FindTooLarge(ex) is { } tooLarge && !stopToken.IsCancellationRequested)
        {
            // The same document would come back as large next time: not metadata, whatever it is.
            return (MetadataAnswer.Unusable(location, TokenFailureClassifier.DiscoveryNonsense($"{display}: {tooLarge.Message}")), null);
        }
        catch (Exception ex) when (TokenFailureClassifier.Classify(ex, stopToken, display) is { } failure)
        {
            return (MetadataAnswer.Unavailable(location, failure), null);
        }
    }

    private string? WhyNotFollowed(Uri from, Uri to)
    {
        if (to.Scheme != Uri.UriSchemeHttps && to.Scheme != Uri.UriSchemeHttp)
        {
            return "not http(s)";
        }

        if (!string.IsNullOrEmpty(to.UserInfo))
        {
            return "it carries user info";
        }

        return from.Scheme == Uri.UriSchemeHttps && to.Scheme == Uri.UriSchemeHttp && !options.AllowInsecureEndpoints && !to.IsLoopback
            ? "a downgrade from https to http (run the operator with --allow-insecure-endpoints to allow http in development)"
            : null;
    }

    private static ResponseTooLargeException? FindTooLarge(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is ResponseTooLargeException match)
            {
                return match;
            }
        }

        return null;
    }

    private static JsonElement? TryParseObject(string? body)
    {
        if (string.IsNullOrWhiteSpace(body) || !body.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
