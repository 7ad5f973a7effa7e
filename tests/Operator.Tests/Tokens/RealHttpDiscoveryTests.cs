using Microsoft.Extensions.DependencyInjection;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>Discovery over the wire against loopback servers whose metadata is exactly what each test needs.</summary>
public sealed class RealHttpDiscoveryTests : IAsyncLifetime
{
    private const string TenantPath = "/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0";

    private readonly ServiceProvider _services = new ServiceCollection().AddTokenEngine().BuildServiceProvider();
    private LoopbackHttpServer _server = null!;
    private Func<FixtureRequest, FixtureResponse> _answer = _ => FixtureResponse.NotFound;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Base => _server.BaseUrl;

    public async ValueTask InitializeAsync() => _server = await LoopbackHttpServer.StartAsync(r => _answer(r), Ct);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task Rfc8414_only_server_answering_404_for_openid_configuration_is_discovered()
    {
        _answer = r => r.Path switch
        {
            "/.well-known/oauth-authorization-server" => FixtureResponse.Json(200, new { issuer = Base, token_endpoint = Base + "/token" }),
            "/token" => FixtureResponse.Json(200, new { access_token = "at", token_type = "Bearer", expires_in = 60 }),
            _ => FixtureResponse.NotFound,
        };

        var result = await RequestAsync(new Uri(Base));

        Assert.True(result.Failure is null, result.Failure?.Description);
        Assert.DoesNotContain(_server.Requests, r => r.Path.Contains("openid-configuration", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Key_set_outage_does_not_block_tokens_because_no_key_set_is_fetched()
    {
        _answer = r => r.Path switch
        {
            "/.well-known/openid-configuration" => FixtureResponse.Json(200, new { issuer = Base, token_endpoint = Base + "/token", jwks_uri = Base + "/keys" }),
            "/token" => FixtureResponse.Json(200, new { access_token = "at", token_type = "Bearer", expires_in = 60 }),
            "/keys" => FixtureResponse.Empty(503),
            _ => FixtureResponse.NotFound,
        };

        var result = await RequestAsync(new Uri(Base));

        Assert.True(result.Failure is null, result.Failure?.Description);
        Assert.Empty(_server.RequestsTo("/keys"));
    }

    [Fact]
    public async Task No_metadata_anywhere_is_a_permanent_DiscoveryFailed_naming_every_url_tried()
    {
        var result = await RequestAsync(new Uri(Base + TenantPath));

        var failure = Assert.IsType<TokenFailure>(result.Failure);
        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal(Reasons.DiscoveryFailed, failure.Reason);
        Assert.Contains($"{Base}/.well-known/oauth-authorization-server{TenantPath}", failure.Description, StringComparison.Ordinal);
        Assert.Contains($"{Base}{TenantPath}/.well-known/openid-configuration", failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issuer_mismatch_is_a_permanent_DiscoveryFailed_that_shows_both_issuers()
    {
        _answer = r => r.Path == TenantPath + "/.well-known/openid-configuration"
            ? FixtureResponse.Json(200, new { issuer = "https://login.microsoftonline.com/{tenantid}/v2.0", token_endpoint = Base + "/token" })
            : FixtureResponse.NotFound;

        var result = await RequestAsync(new Uri(Base + TenantPath));

        var failure = Assert.IsType<TokenFailure>(result.Failure);
        Assert.Equal(Reasons.DiscoveryFailed, failure.Reason);
        Assert.Contains($"{Base}{TenantPath}/.well-known/openid-configuration", failure.Description, StringComparison.Ordinal);
        Assert.Contains("expected " + Base + TenantPath, failure.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("[redacted]", failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_http_token_endpoint_on_a_public_host_is_refused_unless_insecure_endpoints_are_allowed()
    {
        const string insecure = "http://idp.remoteworkload-test.invalid/token";
        _answer = r => r.Path == "/.well-known/oauth-authorization-server"
            ? FixtureResponse.Json(200, new { issuer = Base, token_endpoint = insecure })
            : FixtureResponse.NotFound;

        var refused = (await RequestAsync(new Uri(Base))).Failure!;
        var allowed = (await new TokenEndpointClient(
                _services.GetRequiredService<IHttpClientFactory>(),
                TimeProvider.System,
                new TokenClientOptions { RequestTimeout = TimeSpan.FromSeconds(10), AllowInsecureEndpoints = true })
            .RequestTokenAsync(Config(new Uri(Base)), Credentials, Ct)).Failure!;

        Assert.Equal(Reasons.DiscoveryFailed, refused.Reason);
        Assert.Contains(insecure, refused.Description, StringComparison.Ordinal);
        Assert.Contains("not https", refused.Description, StringComparison.Ordinal);
        // Allowed, discovery succeeds and the request goes to the (unresolvable) endpoint.
        Assert.Equal(FailureKind.Dns, allowed.Kind);
    }

    [Fact]
    public async Task Oauth_error_body_at_a_metadata_url_is_transient_not_a_credentials_rejection()
    {
        _answer = _ => FixtureResponse.Json(401, new { error = "invalid_client", error_description = "client authentication required" });

        var result = await RequestAsync(new Uri(Base));

        var failure = Assert.IsType<TokenFailure>(result.Failure);
        Assert.Equal(FailureClass.Transient, failure.Class);
        Assert.NotEqual(Reasons.CredentialsRejected, failure.Reason);
        Assert.Null(failure.ErrorCode);
    }

    [Fact]
    public async Task Metadata_outage_is_transient_and_rediscovered_on_the_next_request()
    {
        var down = true;
        _answer = r => (down, r.Path) switch
        {
            (true, _) => FixtureResponse.Empty(503, ("Retry-After", "5")),
            (false, "/.well-known/oauth-authorization-server") => FixtureResponse.Json(200, new { issuer = Base, token_endpoint = Base + "/token" }),
            (false, "/token") => FixtureResponse.Json(200, new { access_token = "at", token_type = "Bearer" }),
            _ => FixtureResponse.NotFound,
        };
        var client = NewClient();

        var failed = await client.RequestTokenAsync(Config(new Uri(Base)), Credentials, Ct);
        down = false;
        var ok = await client.RequestTokenAsync(Config(new Uri(Base)), Credentials, Ct);

        Assert.Equal(FailureClass.Transient, failed.Failure!.Class);
        Assert.Equal(TimeSpan.FromSeconds(5), failed.Failure.RetryAfter);
        Assert.NotNull(ok.Grant);
    }

    [Fact]
    public async Task Cached_endpoint_expires_after_the_configured_duration()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        _answer = r => r.Path switch
        {
            "/.well-known/oauth-authorization-server" => FixtureResponse.Json(200, new { issuer = Base, token_endpoint = Base + "/token" }),
            "/token" => FixtureResponse.Json(200, new { access_token = "at", token_type = "Bearer" }),
            _ => FixtureResponse.NotFound,
        };
        var client = new TokenEndpointClient(_services.GetRequiredService<IHttpClientFactory>(), clock, new TokenClientOptions { DiscoveryCacheDuration = TimeSpan.FromMinutes(10) });

        await client.RequestTokenAsync(Config(new Uri(Base)), Credentials, Ct);
        clock.Advance(TimeSpan.FromMinutes(9));
        await client.RequestTokenAsync(Config(new Uri(Base)), Credentials, Ct);
        Assert.Single(_server.RequestsTo("/.well-known/oauth-authorization-server"));

        clock.Advance(TimeSpan.FromMinutes(2));
        await client.RequestTokenAsync(Config(new Uri(Base)), Credentials, Ct);
        Assert.Equal(2, _server.RequestsTo("/.well-known/oauth-authorization-server").Count);
    }

    private static MonitorCredentials Credentials => new("v1", "secret-value", null);

    private static TokenMonitorConfig Config(Uri issuer) => new()
    {
        WorkloadKey = "team-a/discovery",
        Issuer = issuer,
        Grant = GrantType.ClientCredentials,
        ClientId = "client",
    };

    private TokenEndpointClient NewClient() =>
        new(_services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System, new TokenClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) });

    private Task<TokenRequestResult> RequestAsync(Uri issuer) => NewClient().RequestTokenAsync(Config(issuer), Credentials, Ct);
}
