using System.Net.Http.Headers;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>The parts of an HTTP answer the classifier needs. Built by the token client; easy to build in tests.</summary>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="MediaType">Content-Type media type, or null when the response had none.</param>
/// <param name="Body">The body as text (only inspected, never copied into a message).</param>
/// <param name="RetryAfter">Parsed <c>Retry-After</c>, if any.</param>
/// <param name="Location">The <c>Location</c> of a redirect, resolved against the request's URL; null otherwise.</param>
internal sealed record HttpAnswer(int StatusCode, string? MediaType, string? Body, TimeSpan? RetryAfter = null, Uri? Location = null)
{
    /// <inheritdoc />
    public override string ToString() => $"HttpAnswer {{ StatusCode = {StatusCode}, MediaType = {MediaType}, Body = {Body?.Length ?? 0} chars }}";

    /// <summary>Parses <c>Retry-After</c> (delta seconds or HTTP date) relative to <paramref name="now"/>; never negative.</summary>
    public static TimeSpan? ParseRetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header is null)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
