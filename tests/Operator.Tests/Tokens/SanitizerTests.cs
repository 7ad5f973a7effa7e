using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

public sealed class SanitizerTests
{
    [Theory]
    [InlineData("https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0/.well-known/openid-configuration")]
    [InlineData("https://idp.example.com/.well-known/oauth-authorization-server/realms/engineering-platform")]
    public void Urls_keep_their_host_and_path(string url)
    {
        var cleaned = Sanitizer.Clean($"discovery failed: HTTP 404 from {url}, expected issuer");

        Assert.Contains(url, cleaned, StringComparison.Ordinal);
    }

    [Fact]
    public void Urls_lose_their_query_and_token_like_path_segments()
    {
        var cleaned = Sanitizer.Clean("redirected to https://idp.example.com/reset/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789?code=secret-code-value");

        Assert.Contains("https://idp.example.com/reset/[redacted]?…", cleaned, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-code-value", cleaned, StringComparison.Ordinal);
        Assert.DoesNotContain("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", cleaned, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokens_outside_urls_are_still_redacted()
    {
        var cleaned = Sanitizer.Clean("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl rejected at https://idp.example.com/token");

        Assert.DoesNotContain("eyJ", cleaned, StringComparison.Ordinal);
        Assert.Contains("https://idp.example.com/token", cleaned, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("set spec.oauth.authorizationServer to choose one")]
    [InlineData("see token_endpoint_auth_methods_supported")]
    public void Dotted_field_paths_and_long_identifiers_of_plain_words_survive(string text) =>
        Assert.Equal(text, Sanitizer.Clean(text));

    [Theory]
    [InlineData("abcdefghijklmnopqrstuvwx1")]
    [InlineData("AbCdEfGhIjKlMnOpQrStUvWxYzAbCd")]
    public void Long_runs_with_digits_or_without_separators_are_redacted(string token) =>
        Assert.Equal("[redacted]", Sanitizer.Clean(token));
}
