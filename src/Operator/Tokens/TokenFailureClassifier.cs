using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// Spec section 2 as pure functions: from an HTTP answer or an exception to a <see cref="TokenFailure"/>.
/// Rows are checked in the spec's order; the first match wins.
/// </summary>
public static class TokenFailureClassifier
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

        if (Find<EndpointNotAllowedException>(exception) is { } refused)
        {
            return new TokenFailure(FailureClass.Permanent, FailureKind.Local, TokenReasons.EndpointNotAllowed, refused.Message);
        }

        if (Find<AuthenticationException>(exception) is not null
            || exception is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError })
        {
            return new TokenFailure(
                FailureClass.Permanent,
                FailureKind.Tls,
                TokenReasons.TlsFailure,
                $"TLS failure talking to {endpoint}: certificate invalid or untrusted, or handshake failed");
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

        if (status >= 500)
        {
            return Transient(FailureKind.ServerError, $"HTTP {status} from {endpoint}{retryNote}", status, null, answer.RetryAfter);
        }

        if (status == 429)
        {
            return Transient(FailureKind.RateLimited, $"HTTP 429 from {endpoint}{retryNote}", status, null, answer.RetryAfter);
        }

        var parsed = Parse(answer);
        var isSuccess = status is >= 200 and < 300;

        if (parsed.Error is { } code)
        {
            var description = Sanitizer.Clean(parsed.ErrorDescription);
            var text = $"HTTP {status} from {endpoint}: {code}{(description.Length > 0 ? $" ({description})" : string.Empty)}";
            if (code is "temporarily_unavailable" or "slow_down")
            {
                return Transient(FailureKind.OAuthError, text, status, code, answer.RetryAfter);
            }

            if (isSuccess || status is >= 400 and < 500)
            {
                return new TokenFailure(FailureClass.Permanent, FailureKind.OAuthError, TokenReasons.CredentialsRejected, text, status, code, answer.RetryAfter);
            }
        }

        if (!isSuccess)
        {
            var shape = DescribeBody(answer, parsed);
            return Transient(FailureKind.NotOAuthResponse, $"HTTP {status} from {endpoint} with {shape}{retryNote}", status, null, answer.RetryAfter);
        }

        if (!parsed.IsJsonObject)
        {
            return Transient(FailureKind.NotOAuthResponse, $"HTTP {status} from {endpoint} with {DescribeBody(answer, parsed)}", status);
        }

        if (!parsed.HasAccessToken)
        {
            return new TokenFailure(
                FailureClass.Permanent,
                FailureKind.InvalidTokenResponse,
                TokenReasons.InvalidTokenResponse,
                $"HTTP {status} from {endpoint} without access_token",
                status);
        }

        return null;
    }

    /// <summary>A discovery document that answered but is unusable (no token endpoint, policy violation, wrong issuer).</summary>
    public static TokenFailure DiscoveryNonsense(string detail) =>
        new(FailureClass.Permanent, FailureKind.Discovery, TokenReasons.DiscoveryFailed, $"discovery failed: {Sanitizer.Clean(detail)}");

    private static TokenFailure Transient(FailureKind kind, string description, int? status = null, string? code = null, TimeSpan? retryAfter = null) =>
        new(FailureClass.Transient, kind, TokenReasons.TokenEndpointUnavailable, description, status, code, retryAfter);

    private static string DescribeBody(HttpAnswer answer, ParsedBody parsed)
    {
        if (string.IsNullOrWhiteSpace(answer.Body))
        {
            return "an empty body";
        }

        if (parsed.IsJsonObject)
        {
            return "a JSON body that is not an OAuth error";
        }

        var type = answer.MediaType is null ? "no Content-Type" : Sanitizer.Clean(answer.MediaType, 60);
        var html = answer.Body.AsSpan().TrimStart().StartsWith("<", StringComparison.Ordinal) ? "an HTML/markup body" : "a non-JSON body";
        return $"{html} ({type}), likely a WAF, CDN or proxy";
    }

    private static ParsedBody Parse(HttpAnswer answer)
    {
        var body = answer.Body;
        if (string.IsNullOrWhiteSpace(body))
        {
            return default;
        }

        var trimmed = body.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] == '{')
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return default;
                }

                var root = doc.RootElement;
                string? error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                string? description = root.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                var hasToken = root.TryGetProperty("access_token", out var t) && t.ValueKind == JsonValueKind.String && t.GetString()?.Length > 0;
                return new ParsedBody(true, Sanitizer.CleanErrorCode(error), description, hasToken);
            }
            catch (JsonException)
            {
                return default;
            }
        }

        var formish = answer.MediaType?.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true
            || (trimmed.StartsWith("error=", StringComparison.Ordinal) && !trimmed.Contains('<'));
        if (formish)
        {
            string? error = null;
            string? description = null;
            foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    continue;
                }

                var key = pair[..eq];
                var value = WebUtility.UrlDecode(pair[(eq + 1)..]);
                if (key == "error")
                {
                    error = value;
                }
                else if (key == "error_description")
                {
                    description = value;
                }
            }

            return new ParsedBody(false, Sanitizer.CleanErrorCode(error), description, false);
        }

        return default;
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

    private readonly record struct ParsedBody(bool IsJsonObject, string? Error, string? ErrorDescription, bool HasAccessToken);
}
