using System.Net.Http;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>Applies <see cref="IdpRateLimiter"/> to every request, keyed by the request's host.</summary>
public sealed class IdpRateLimitHandler : DelegatingHandler
{
    private readonly IdpRateLimiter _limiter;

    /// <summary>Creates the handler; the factory sets the inner handler.</summary>
    public IdpRateLimitHandler(IdpRateLimiter limiter) => _limiter = limiter;

    /// <summary>Creates the handler around <paramref name="innerHandler"/>.</summary>
    public IdpRateLimitHandler(IdpRateLimiter limiter, HttpMessageHandler innerHandler)
        : base(innerHandler) => _limiter = limiter;

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Waiting for a turn is not yet sending: a monitor's stop cancels it (PreSendWaits), the request's own token too.
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, PreSendWaits.Token))
        {
            await _limiter.AcquireAsync(request.RequestUri?.Host ?? string.Empty, wait.Token).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
