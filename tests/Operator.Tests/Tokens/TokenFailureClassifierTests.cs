using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>Section 2 on synthetic inputs (the real-HTTP table covers the same rows over the wire).</summary>
public sealed class TokenFailureClassifierTests
{
    public static TheoryData<string, int, string?, string?, int?, FailureClass?, string?> Answers => new()
    {
        // name, status, media type, body, retry-after, expected class (null = success), expected code
        { "500 even with an OAuth code", 500, "application/json", """{"error":"invalid_grant"}""", null, FailureClass.Transient, null },
        { "502 HTML", 502, "text/html", "<html>bad gateway</html>", null, FailureClass.Transient, null },
        { "503 Retry-After", 503, null, "", 7, FailureClass.Transient, null },
        { "429 with an OAuth error body", 429, "application/json", """{"error":"invalid_client"}""", 30, FailureClass.Transient, null },
        { "403 WAF HTML, no content type", 403, null, "<html><body>blocked</body></html>", null, FailureClass.Transient, null },
        { "401 empty", 401, null, "", null, FailureClass.Transient, null },
        { "400 JSON not OAuth", 400, "application/json", """{"message":"nope"}""", null, FailureClass.Transient, null },
        { "400 temporarily_unavailable", 400, "application/json", """{"error":"temporarily_unavailable"}""", null, FailureClass.Transient, "temporarily_unavailable" },
        { "400 slow_down", 400, "application/json", """{"error":"slow_down"}""", null, FailureClass.Transient, "slow_down" },
        { "400 invalid_grant", 400, "application/json", """{"error":"invalid_grant","error_description":"expired"}""", null, FailureClass.Permanent, "invalid_grant" },
        { "401 invalid_client", 401, "application/json", """{"error":"invalid_client"}""", null, FailureClass.Permanent, "invalid_client" },
        { "400 unauthorized_client", 400, "application/json", """{"error":"unauthorized_client"}""", null, FailureClass.Permanent, "unauthorized_client" },
        { "400 invalid_scope", 400, "application/json", """{"error":"invalid_scope"}""", null, FailureClass.Permanent, "invalid_scope" },
        { "400 form-encoded invalid_grant", 400, "application/x-www-form-urlencoded", "error=invalid_grant&error_description=revoked", null, FailureClass.Permanent, "invalid_grant" },
        { "200 with an OAuth error", 200, "application/json", """{"error":"invalid_grant"}""", null, FailureClass.Permanent, "invalid_grant" },
        { "200 HTML", 200, "text/html", "<!DOCTYPE html><html/>", null, FailureClass.Transient, null },
        { "200 empty", 200, "application/json", "", null, FailureClass.Transient, null },
        { "200 JSON without access_token", 200, "application/json", """{"token_type":"Bearer"}""", null, FailureClass.Permanent, null },
        { "200 token", 200, "application/json", """{"access_token":"abc","token_type":"Bearer"}""", null, null, null },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void Http_answers(string name, int status, string? mediaType, string? body, int? retryAfter, FailureClass? expected, string? code)
    {
        var failure = TokenFailureClassifier.Classify(new HttpAnswer(status, mediaType, body, retryAfter is { } r ? TimeSpan.FromSeconds(r) : null));

        Assert.True(expected == failure?.Class, name);
        Assert.Equal(code, failure?.ErrorCode);
        if (failure is not null)
        {
            Assert.Equal(status, failure.HttpStatus);
            Assert.DoesNotContain("<html", failure.Description, StringComparison.OrdinalIgnoreCase);
            if (retryAfter is { } ra && failure.Kind is FailureKind.ServerError or FailureKind.RateLimited)
            {
                Assert.Equal(TimeSpan.FromSeconds(ra), failure.RetryAfter);
            }
        }
    }

    [Fact]
    public void Only_guard_refusals_say_the_spec_cannot_work()
    {
        Assert.True(TokenFailureClassifier.Classify(new HttpRequestException("x", new EndpointNotAllowedException("refused")), CancellationToken.None)!.SpecCannotWork);
        Assert.False(TokenFailureClassifier.Classify(new HttpAnswer(400, null, """{"error":"invalid_grant"}"""))!.SpecCannotWork);
        Assert.False(TokenFailureClassifier.DiscoveryNonsense("no token_endpoint").SpecCannotWork);
    }

    [Fact]
    public void Reasons_for_permanent_failures()
    {
        Assert.Equal(Reasons.CredentialsRejected, TokenFailureClassifier.Classify(new HttpAnswer(400, null, """{"error":"invalid_grant"}"""))!.Reason);
        Assert.Equal(Reasons.InvalidTokenResponse, TokenFailureClassifier.Classify(new HttpAnswer(200, null, "{}"))!.Reason);
        Assert.Equal(Reasons.DiscoveryFailed, TokenFailureClassifier.DiscoveryNonsense("no token_endpoint").Reason);
    }

    [Fact]
    public void Our_own_stop_is_not_a_failure_but_a_foreign_cancellation_is_a_timeout()
    {
        using var stop = new CancellationTokenSource();
        var timeout = new TaskCanceledException("timeout", new TimeoutException());
        Assert.Equal(FailureKind.Timeout, TokenFailureClassifier.Classify(timeout, stop.Token)!.Kind);
        stop.Cancel();
        Assert.Null(TokenFailureClassifier.Classify(new OperationCanceledException(stop.Token), stop.Token));
    }

    public static TheoryData<Exception, FailureClass, FailureKind> Exceptions => new()
    {
        { new HttpRequestException(HttpRequestError.NameResolutionError, "x", new SocketException((int)SocketError.HostNotFound)), FailureClass.Transient, FailureKind.Dns },
        { new HttpRequestException("x", new SocketException((int)SocketError.TryAgain)), FailureClass.Transient, FailureKind.Dns },
        { new HttpRequestException(HttpRequestError.ConnectionError, "x", new SocketException((int)SocketError.ConnectionRefused)), FailureClass.Transient, FailureKind.Connection },
        { new HttpRequestException("x", new SocketException((int)SocketError.NetworkUnreachable)), FailureClass.Transient, FailureKind.Connection },
        { new HttpRequestException(HttpRequestError.ResponseEnded, "x"), FailureClass.Transient, FailureKind.Connection },
        { new HttpRequestException("x", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))), FailureClass.Transient, FailureKind.Connection },
        { new HttpRequestException(HttpRequestError.SecureConnectionError, "x", new AuthenticationException("untrusted")), FailureClass.Transient, FailureKind.Tls },
        { new HttpRequestException(HttpRequestError.SecureConnectionError, "x", new IOException("Received an unexpected EOF or 0 bytes from the transport stream.")), FailureClass.Transient, FailureKind.Connection },
        { new TimeoutException(), FailureClass.Transient, FailureKind.Timeout },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void Exceptions_are_classified(Exception exception, FailureClass expected, FailureKind kind)
    {
        var failure = TokenFailureClassifier.Classify(exception, CancellationToken.None, "idp.example.com")!;
        Assert.Equal(expected, failure.Class);
        Assert.Equal(kind, failure.Kind);
        Assert.Contains("idp.example.com", failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Descriptions_never_carry_tokens_or_whole_bodies()
    {
        var jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        var body = $$"""{"error":"invalid_grant","error_description":"token {{jwt}} was revoked\u0000\n{{new string('x', 500)}}"}""";

        var failure = TokenFailureClassifier.Classify(new HttpAnswer(400, "application/json", body))!;

        Assert.DoesNotContain(jwt, failure.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", failure.Description, StringComparison.Ordinal);
        Assert.Contains("[redacted]", failure.Description, StringComparison.Ordinal);
        Assert.True(failure.Description.Length < 300);
        Assert.DoesNotContain('\0', failure.Description);
    }

    [Fact]
    public void Error_values_that_are_not_oauth_codes_are_not_rejections_and_are_not_echoed()
    {
        var failure = TokenFailureClassifier.Classify(new HttpAnswer(400, "application/json", """{"error":"<script>alert(1)</script>"}"""))!;
        Assert.Equal(FailureClass.Transient, failure.Class);
        Assert.Null(failure.ErrorCode);
        Assert.DoesNotContain("<script>", failure.Description, StringComparison.Ordinal);
    }

    public static TheoryData<string, int, string, FailureClass> OAuthCodeShapes => new()
    {
        { "registered code", 400, """{"error":"invalid_request"}""", FailureClass.Permanent },
        { "RFC 8707 invalid_target", 400, """{"error":"invalid_target"}""", FailureClass.Permanent },
        { "snake_case extension code", 401, """{"error":"access_denied","error_description":"Unauthorized"}""", FailureClass.Permanent },
        { "registered code with Entra's timestamp and trace fields", 400, """{"error":"invalid_grant","timestamp":"2026-12-01 09:00:00Z","trace_id":"x"}""", FailureClass.Permanent },
        { "Spring Boot error page", 403, """{"timestamp":"2026-12-01T09:00:00.000+00:00","status":403,"error":"Forbidden","path":"/oauth/token"}""", FailureClass.Transient },
        { "snake_case code in a framework page", 400, """{"status":400,"error":"bad_request","path":"/oauth/token"}""", FailureClass.Transient },
        { "reason phrase as error", 401, """{"error":"Unauthorized"}""", FailureClass.Transient },
        { "server_error on 400", 400, """{"error":"server_error"}""", FailureClass.Transient },
        { "server_error on 200", 200, """{"error":"server_error"}""", FailureClass.Transient },
        { "temporarily_unavailable on 401", 401, """{"error":"temporarily_unavailable"}""", FailureClass.Transient },
        { "Forbidden on 200", 200, """{"error":"Forbidden"}""", FailureClass.Transient },
    };

    [Theory]
    [MemberData(nameof(OAuthCodeShapes))]
    public void Only_oauth_shaped_codes_outside_framework_pages_are_rejections(string name, int status, string body, FailureClass expected)
    {
        var failure = TokenFailureClassifier.Classify(new HttpAnswer(status, "application/json", body));

        Assert.True(failure?.Class == expected, $"{name}: {failure}");
        Assert.Equal(expected == FailureClass.Permanent ? Reasons.CredentialsRejected : Reasons.TokenEndpointUnavailable, failure!.Reason);
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    [InlineData(null)]
    public void Bearer_in_any_case_or_absent_is_published_as_Bearer(string? tokenType) =>
        Assert.Equal("Bearer", TokenFailureClassifier.PublishedTokenType(tokenType));

    [Theory]
    [InlineData("DPoP")]
    [InlineData("mac")]
    [InlineData("N_A")]
    public void Non_bearer_token_types_are_a_permanent_invalid_token_response_naming_the_type(string tokenType)
    {
        var failure = TokenFailureClassifier.Classify(new HttpAnswer(200, "application/json", $$"""{"access_token":"abc","token_type":"{{tokenType}}"}"""))!;

        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal(Reasons.InvalidTokenResponse, failure.Reason);
        Assert.Contains($"token_type {tokenType}", failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_form_encoded_token_response_is_a_success()
    {
        Assert.Null(TokenFailureClassifier.Classify(new HttpAnswer(200, "application/x-www-form-urlencoded", "access_token=ghu_abc&expires_in=28800&token_type=bearer")));
    }

    [Fact]
    public void Metadata_answers_are_never_oauth_rejections()
    {
        var failure = TokenFailureClassifier.ClassifyMetadataAnswer(new HttpAnswer(401, "application/json", """{"error":"invalid_client"}"""), "https://idp.example.com/.well-known/openid-configuration");

        Assert.Equal(FailureClass.Transient, failure.Class);
        Assert.Null(failure.ErrorCode);
        Assert.Contains("https://idp.example.com/.well-known/openid-configuration", failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Retry_after_accepts_seconds_and_http_dates()
    {
        var now = new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(7), HttpAnswer.ParseRetryAfter(new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), now));
        Assert.Equal(TimeSpan.FromMinutes(2), HttpAnswer.ParseRetryAfter(new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddMinutes(2)), now));
        Assert.Equal(TimeSpan.Zero, HttpAnswer.ParseRetryAfter(new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddMinutes(-2)), now));
        Assert.Null(HttpAnswer.ParseRetryAfter(null, now));
    }

    [Theory]
    [InlineData("ftp://user:pw-secret@files.example/x", "to ftp://files.example")]
    [InlineData("https://admin:pw-secret@idp.example:8443/token", "to https://idp.example:8443")]
    [InlineData("/elsewhere/token", "to a relative location")]
    public void A_redirect_names_where_it_points_without_user_information(string location, string expected)
    {
        var failure = TokenFailureClassifier.Classify(new HttpAnswer(302, null, null, Location: new Uri(location, UriKind.RelativeOrAbsolute)))!;

        Assert.Equal(Reasons.InvalidTokenResponse, failure.Reason);
        Assert.Contains(expected, failure.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-secret", failure.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("user", failure.Description, StringComparison.Ordinal);
    }
}
