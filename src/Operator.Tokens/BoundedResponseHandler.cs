using System.Net.Http;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// Bounds every body the operator reads from an IdP (token, discovery and protected-resource answers): the body is
/// handed on through <see cref="BoundedContent"/>, which throws <see cref="ResponseTooLargeException"/> once a declared
/// <c>Content-Length</c> or the bytes actually read pass <see cref="MaxBodyBytes"/>, so a 150 MB answer costs at most
/// that much memory however the caller reads it (Duende's request buffers the whole body). Sits in front of the named
/// client's primary handler and of every mutual-TLS handler, so the rule is written once.
/// </summary>
public sealed class BoundedResponseHandler : DelegatingHandler
{
    /// <summary>
    /// 64 KiB. Real answers are a few kilobytes (a token response with a large JWT access token and an ID token stays
    /// under 16 KiB; discovery documents under 8 KiB). Far below a Secret's 1 MiB, so any access token that fits the
    /// bound fits the token Secret.
    /// </summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Creates the handler; the factory or the caller sets the inner handler.</summary>
    public BoundedResponseHandler()
    {
    }

    /// <summary>Creates the handler around <paramref name="innerHandler"/>.</summary>
    public BoundedResponseHandler(HttpMessageHandler innerHandler)
        : base(innerHandler)
    {
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Content is { } content and not BoundedContent)
        {
            // An error answer is judged by its status: its body (a maintenance page, a WAF page) is cut at the bound,
            // never turned into a permanent "too large". A success body past the bound is refused.
            response.Content = new BoundedContent(content, MaxBodyBytes, truncate: !response.IsSuccessStatusCode);
        }

        return response;
    }
}
