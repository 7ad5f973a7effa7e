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
    /// <summary>Largest document read; metadata is a few kilobytes, anything far larger is not metadata.</summary>
    public const int MaxDocumentBytes = 512 * 1024;

    /// <summary>GETs <paramref name="location"/>. Throws only <see cref="OperationCanceledException"/> for <paramref name="stopToken"/>.</summary>
    public async Task<MetadataAnswer> GetAsync(Uri location, CancellationToken stopToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        var display = Sanitizer.Url(location);
        using var timeout = new CancellationTokenSource(options.RequestTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopToken, timeout.Token);
        var http = httpClientFactory.CreateClient(TokenClientOptions.HttpClientName);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, location);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is 404 or 410)
            {
                return MetadataAnswer.Missing(location, status);
            }

            var body = await ReadBoundedAsync(response.Content, linked.Token).ConfigureAwait(false);
            var answer = new HttpAnswer(
                status,
                response.Content.Headers.ContentType?.MediaType,
                body,
                HttpAnswer.ParseRetryAfter(response.Headers.RetryAfter, timeProvider.GetUtcNow()));
            if (status is >= 200 and < 300 && TryParseObject(body) is { } document)
            {
                return MetadataAnswer.Found(location, document);
            }

            return MetadataAnswer.Unavailable(location, TokenFailureClassifier.ClassifyMetadataAnswer(answer, display));
        }
        catch (Exception ex) when (TokenFailureClassifier.Classify(ex, stopToken, display) is { } failure)
        {
            return MetadataAnswer.Unavailable(location, failure);
        }
    }

    private static async Task<string?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxDocumentBytes)
        {
            return null;
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var copy = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (copy.Length + read > MaxDocumentBytes)
                {
                    return null;
                }

                copy.Write(chunk, 0, read);
            }

            return System.Text.Encoding.UTF8.GetString(copy.GetBuffer(), 0, (int)copy.Length);
        }
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
