using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// The classification table of docs/token-monitor.md as pure functions: from an HTTP answer or an exception to a <see cref="TokenFailure"/>.
/// Rows are checked in the table's order; the first match wins.
/// </summary>
internal static partial class TokenFailureClassifier
{
    /// <summary>
    /// Classifies an exception thrown while talking to the IdP. Returns null when it is the cancellation of our
    /// own <paramref name="stopToken"/>: that is a quiet stop, not a failure.
    /// </summary>
    public static TokenFailure? Classify(Exception exception, CancellationToken stopToken, string endpoint = "token endpoint")
    {
        ArgumentNullException.ThrowIfNull(exception);

        if (exception is OperationCanceledException && stopToken.IsCancellationRequested)
        {
            return null;
        }

        if (exception is OperationCanceledException or TimeoutException)
        {
            return Transient(FailureKind.Timeout, $"request to {endpoint} timed out");
        }

        if (Find<ResponseTooLargeException>(exception) is { } tooLarge)
        {
            // Permanent: an IdP that answers megabytes will answer them again; reading on would cost the process its memory.
            return new TokenFailure(FailureClass.Permanent, FailureKind.InvalidTokenResponse, Reasons.InvalidTokenResponse, $"answer from {endpoint} refused: {tooLarge.Message}");
        }

        if (Find<EndpointNotAllowedException>(exception) is { } refused)
        {
            return new TokenFailure(FailureClass.Permanent, FailureKind.Local, Reasons.EndpointNotAllowed, refused.Message);
        }

        if (Find<AuthenticationException>(exception) is { } tls)
        {
            // Transient, keeping its own reason: TLS failures heal more often than not (a load balancer answering
            // internal_error or unrecognized_name while it reloads, a certificate that expired at 02:00 renewed at
            // 02:20, a trust bundle being rolled). The short retry and AuthRetrying cover that; the ceiling turns one
            // that lasts into Unauthenticated, so nothing here is permanent.
            return new TokenFailure(
                FailureClass.Transient,
                FailureKind.Tls,
                Reasons.TlsFailure,
                $"TLS handshake with {endpoint} failed: {Sanitizer.Clean(HandshakeSaid(tls), 240)}");
        }

        // SocketsHttpHandler reports every handshake problem as SecureConnectionError; without an
        // AuthenticationException it was the transport (a reset or EOF mid-handshake), which a retry can cure.
        if (exception is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError })
        {
            return Transient(FailureKind.Connection, $"connection closed during the TLS handshake ({endpoint})");
        }

        var socket = Find<SocketException>(exception);
        if (exception is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }
            || socket?.SocketErrorCode is SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData)
        {
            return Transient(FailureKind.Dns, $"DNS lookup failed for {endpoint}");
        }

        if (socket is not null)
        {
            var what = socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.ConnectionReset => "connection reset",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                SocketError.TimedOut => "connection timed out",
                _ => $"socket error {socket.SocketErrorCode}",
            };
            return Transient(FailureKind.Connection, $"{what} by {endpoint}");
        }

        if (exception is HttpRequestException http)
        {
            var what = http.HttpRequestError switch
            {
                HttpRequestError.ConnectionError => "connection failed",
                HttpRequestError.ResponseEnded => "connection closed mid-response",
                HttpRequestError.InvalidResponse => "invalid HTTP response",
                HttpRequestError.ProxyTunnelError => "proxy tunnel failed",
                _ => "HTTP request failed",
            };
            return Transient(FailureKind.Connection, $"{what} ({endpoint})");
        }

        if (Find<IOException>(exception) is not null)
        {
            return Transient(FailureKind.Connection, $"connection closed mid-response ({endpoint})");
        }

        return Transient(FailureKind.Other, $"request to {endpoint} failed ({exception.GetType().Name})");
    }

    /// <summary>
    /// Classifies an HTTP answer of the token endpoint. Returns null for a usable token response
    /// (2xx JSON with <c>access_token</c>).
    /// </summary>
    public static TokenFailure? Classify(HttpAnswer answer, string endpoint = "token endpoint")
    {
        ArgumentNullException.ThrowIfNull(answer);
        var status = answer.StatusCode;
        var retryNote = answer.RetryAfter is { } ra ? $" (Retry-After {(int)Math.Ceiling(ra.TotalSeconds)}s)" : string.Empty;

        if (status is >= 300 and < 400)
        {
            // Scheme, host and port only: a Location's user information (ftp://user:password@host) never reaches a message.
            var target = answer.Location is { IsAbsoluteUri: true } location
                ? $"to {Sanitizer.Clean($"{location.Scheme}://{location.IdnHost}{(location.IsDefaultPort ? "" : $":{location.Port}")}", 200)}"
                : answer.Location is not null ? "to a relative location" : "without a Location";
            return new TokenFailure(
                FailureClass.Permanent,
                FailureKind.Redirect,
                Reasons.InvalidTokenResponse,
                $"HTTP {status} from {endpoint} redirects {target}; a token endpoint's redirect is never followed (it would re-send the credentials): configure the final token URL",
                status);
        }

        if (status >= 500)
        {
            return Transient(FailureKind.ServerError, $"HTTP {status} from {endpoint}{retryNote}", status, null, answer.RetryAfter);
        }

        if (status == 429)
        {
            return Transient(FailureKind.RateLimited, $"HTTP 429 from {endpoint}{retryNote}", status, null, answer.RetryAfter);
        }

        var parsed = TokenResponseBody.Parse(answer);
        var isSuccess = status is >= 200 and < 300;

        if (parsed.Error is { } rawCode)
        {
            var code = Sanitizer.CleanErrorCode(rawCode);
            var description = Sanitizer.Clean(parsed.ErrorDescription);
            var text = $"HTTP {status} from {endpoint}: {code}{(description.Length > 0 ? $" ({description})" : string.Empty)}";
            if (TransientCodes.Contains(rawCode))
            {
                return Transient(FailureKind.OAuthError, text, status, code, answer.RetryAfter);
            }

            if ((isSuccess || status is >= 400 and < 500) && IsRejection(rawCode, parsed))
            {
                return new TokenFailure(FailureClass.Permanent, FailureKind.OAuthError, Reasons.CredentialsRejected, text, status, code, answer.RetryAfter);
            }
        }

        if (!isSuccess || (parsed.Error is not null && parsed.AccessToken is null))
        {
            var shape = DescribeBody(answer, parsed);
            return Transient(FailureKind.NotOAuthResponse, $"HTTP {status} from {endpoint} with {shape}{retryNote}", status, null, answer.RetryAfter);
        }

        if (!parsed.IsJsonObject && !parsed.IsForm)
        {
            return Transient(FailureKind.NotOAuthResponse, $"HTTP {status} from {endpoint} with {DescribeBody(answer, parsed)}", status);
        }

        if (parsed.AccessToken is null)
        {
            return new TokenFailure(
                FailureClass.Permanent,
                FailureKind.InvalidTokenResponse,
                Reasons.InvalidTokenResponse,
                $"HTTP {status} from {endpoint} without access_token",
                status);
        }

        if (PublishedTokenType(parsed.TokenType) is null)
        {
            return new TokenFailure(
                FailureClass.Permanent,
                FailureKind.InvalidTokenResponse,
                Reasons.InvalidTokenResponse,
                $"HTTP {status} from {endpoint} with token_type {Sanitizer.Clean(parsed.TokenType, 40)}, which the operator cannot publish (only Bearer tokens are usable by consumers)",
                status);
        }

        return null;
    }

    /// <summary>
    /// The token type consumers see: <c>Bearer</c> for <c>bearer</c> in any case (RFC 6749 section 5.1 makes the
    /// value case-insensitive) or when absent, and for Slack's <c>bot</c> and <c>user</c> (Slack documents those tokens
    /// as sent in <c>Authorization: Bearer</c>). Null for anything else (<c>DPoP</c>, <c>mac</c>, <c>N_A</c>, ...):
    /// a sender-constrained or non-bearer token is useless to a consumer that only has the Secret.
    /// </summary>
    public static string? PublishedTokenType(string? tokenType) =>
        string.IsNullOrEmpty(tokenType) || BearerAliases.Contains(tokenType) ? "Bearer" : null;

    /// <summary>
    /// Classifies a metadata answer (discovery, protected-resource metadata) that is not a usable document.
    /// Always transient: a body here is never read as an OAuth rejection of the credentials.
    /// </summary>
    public static TokenFailure ClassifyMetadataAnswer(HttpAnswer answer, string location)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var status = answer.StatusCode;
        var retryNote = answer.RetryAfter is { } ra ? $" (Retry-After {(int)Math.Ceiling(ra.TotalSeconds)}s)" : string.Empty;
        var kind = status >= 500 ? FailureKind.ServerError : status == 429 ? FailureKind.RateLimited : FailureKind.Discovery;
        var shape = status is >= 200 and < 300 || status >= 400 && status < 500 && status != 429
            ? $" with {DescribeBody(answer, TokenResponseBody.Parse(answer))}"
            : string.Empty;
        return new TokenFailure(
            FailureClass.Transient,
            kind,
            Reasons.TokenEndpointUnavailable,
            Sanitizer.Clean($"HTTP {status} from {location}{shape}{retryNote}", 400),
            status,
            null,
            answer.RetryAfter);
    }

    // RFC 6749 section 5.2, plus RFC 8707's invalid_target: these always mean "the request as made will not succeed".
    private static readonly HashSet<string> RegisteredCodes = new(StringComparer.Ordinal)
    {
        "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope", "invalid_target",
    };

    // Retry these whatever the status: the server says so itself (RFC 6749 section 4.1.2.1, RFC 8628 section 3.5),
    // and Slack documents internal_error, service_unavailable and request_timeout as passing conditions.
    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "server_error", "temporarily_unavailable", "slow_down", "internal_error", "service_unavailable", "request_timeout",
    };

    private static readonly HashSet<string> BearerAliases = new(StringComparer.OrdinalIgnoreCase) { "bearer", "bot", "user" };

    // A registered code is a rejection; an extension code only when it has the lowercase snake_case shape of OAuth
    // codes (GitHub's bad_refresh_token, Slack's invalid_refresh_token) and the body is not a framework error page
    // (Spring Boot's {"error":"Forbidden","status":403,"path":...} is a gateway talking, not the IdP).
    private static bool IsRejection(string code, TokenResponseBody parsed) =>
        RegisteredCodes.Contains(code) || (!parsed.HasFrameworkFields && ExtensionCode().IsMatch(code));

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial System.Text.RegularExpressions.Regex ExtensionCode();

    /// <summary>A discovery document that answered but is unusable (no token endpoint, policy violation, wrong issuer).</summary>
    public static TokenFailure DiscoveryNonsense(string detail, int maxLength = Sanitizer.MaxLength) =>
        new(FailureClass.Permanent, FailureKind.Discovery, Reasons.DiscoveryFailed, $"discovery failed: {Sanitizer.Clean(detail, maxLength)}");

    private static TokenFailure Transient(FailureKind kind, string description, int? status = null, string? code = null, TimeSpan? retryAfter = null) =>
        new(FailureClass.Transient, kind, Reasons.TokenEndpointUnavailable, description, status, code, retryAfter);

    private static string DescribeBody(HttpAnswer answer, TokenResponseBody parsed)
    {
        if (string.IsNullOrWhiteSpace(answer.Body))
        {
            return "an empty body";
        }

        if (parsed.IsJsonObject)
        {
            return parsed.Error is null ? "a JSON body that is not an OAuth error" : "a JSON body that is not an OAuth error (a framework or gateway error page)";
        }

        var type = answer.MediaType is null ? "no Content-Type" : Sanitizer.Clean(answer.MediaType, 60);
        var html = answer.Body.AsSpan().TrimStart().StartsWith("<", StringComparison.Ordinal) ? "an HTML/markup body" : "a non-JSON body";
        return $"{html} ({type}), likely a WAF, CDN or proxy";
    }

    // What the handshake said: the runtime's own words (a chain status such as NotTimeValid or UntrustedRoot, a name
    // mismatch) and the TLS library's innermost one (OpenSSL's "tlsv1 alert internal error"), without the wrappers
    // that only say "see inner exception". Certificates and alerts carry no secret.
    private static string HandshakeSaid(AuthenticationException tls)
    {
        var said = new List<string>();
        for (Exception? current = tls; current is not null; current = current.InnerException)
        {
            if (!current.Message.Contains("inner exception", StringComparison.OrdinalIgnoreCase) && !said.Contains(current.Message))
            {
                said.Add(current.Message);
            }
        }

        return said.Count == 0 ? "no reason given" : string.Join("; ", said.TakeLast(2));
    }

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }

        return null;
    }

}
