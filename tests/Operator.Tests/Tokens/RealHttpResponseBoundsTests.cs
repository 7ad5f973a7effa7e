using Microsoft.Extensions.DependencyInjection;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// Every body read from an IdP is bounded (<see cref="BoundedResponseHandler.MaxBodyBytes"/>, 64 KiB): an answer
/// over the bound is a permanent <c>InvalidTokenResponse</c> (token endpoint) or <c>DiscoveryFailed</c> (metadata)
/// naming the size, whether or not it declared its length. Over the wire against a loopback server.
/// </summary>
public sealed class RealHttpResponseBoundsTests : LoopbackIdpTest
{
    private const int OneMegabyte = 1024 * 1024;

    [Fact]
    public async Task A_tokenAnswer_larger_than_64_KiB_without_a_declared_length_is_a_permanent_InvalidTokenResponse()
    {
        Answer = _ => FixtureResponse.Json(200, new { access_token = new string('a', OneMegabyte), token_type = "Bearer" });

        var failure = (await RequestAsync(Token)).Failure!;

        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal(Reasons.InvalidTokenResponse, failure.Reason);
        Assert.Contains("longer than the 64 KiB", failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tokenAnswer_declaring_a_length_over_64_KiB_is_refused_naming_the_size()
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { access_token = new string('a', OneMegabyte), token_type = "Bearer" });
        Answer = _ => new FixtureResponse(200, "application/json", body, [("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))]);

        var failure = (await RequestAsync(Token)).Failure!;

        Assert.Equal(Reasons.InvalidTokenResponse, failure.Reason);
        Assert.Contains($"{body.Length} bytes (Content-Length)", failure.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_maintenance_page_over_64_KiB_is_judged_by_its_status_and_stays_transient(bool declaresLength)
    {
        // A load balancer or WAF answering 503 with a large HTML page: an outage that heals, whatever the page's size.
        var page = "<html><body>" + new string('x', OneMegabyte) + "</body></html>";
        Answer = _ => new FixtureResponse(503, "text/html", page, declaresLength ? [("Content-Length", page.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))] : []);

        var failure = (await RequestAsync(Token)).Failure!;

        Assert.Equal(FailureClass.Transient, failure.Class);
        Assert.NotEqual(Reasons.InvalidTokenResponse, failure.Reason);
        Assert.Contains("503", failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tokenAnswer_just_under_64_KiB_is_read()
    {
        Answer = _ => FixtureResponse.Json(200, new { access_token = new string('a', 60 * 1024), token_type = "Bearer", expires_in = 60 });

        var grant = (await RequestAsync(Token)).Grant!;

        Assert.Equal(60 * 1024, grant.AccessToken.Length);
    }

    [Fact]
    public async Task A_metadata_document_larger_than_64_KiB_is_a_permanent_DiscoveryFailed_naming_the_bound()
    {
        Answer = r => r.Path == "/.well-known/oauth-authorization-server"
            ? FixtureResponse.Json(200, new { issuer = Server.BaseUrl, token_endpoint = Server.BaseUrl + "/token", padding = new string('x', OneMegabyte) })
            : FixtureResponse.NotFound;

        var failure = (await RequestAsync(Discovered)).Failure!;

        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal(Reasons.DiscoveryFailed, failure.Reason);
        Assert.Contains("64 KiB", failure.Description, StringComparison.Ordinal);
        Assert.Empty(Server.RequestsTo("/token"));
    }

    private TokenMonitorConfig Token => new()
    {
        WorkloadKey = "team-a/bounds",
        TokenEndpoint = new Uri(Server.BaseUrl + "/token"),
        Grant = GrantType.ClientCredentials,
        ClientId = "client",
    };

    private TokenMonitorConfig Discovered => Token with { TokenEndpoint = null, Issuer = new Uri(Server.BaseUrl) };

    private Task<TokenRequestResult> RequestAsync(TokenMonitorConfig config) =>
        new TokenEndpointClient(Services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System, new TokenClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) })
            .RequestTokenAsync(config, new MonitorCredentials("v1", "secret-value", null), Ct);
}
