using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// The token endpoint's redirects are never followed (a 307/308 would re-post the refresh token, a post-body client
/// secret and the client assertion to the <c>Location</c>'s origin, RFC 9110 §15.4.8/§15.4.9); discovery follows at
/// most <c>MetadataFetcher.MaxRedirects</c> hops, each through the endpoint guard. Over the wire, two loopback servers.
/// </summary>
public sealed class RealHttpRedirectTests : IAsyncLifetime
{
    private readonly ServiceProvider _services = new ServiceCollection().AddTokenEngine().BuildServiceProvider();
    private LoopbackHttpServer _idp = null!;
    private LoopbackHttpServer _elsewhere = null!;
    private Func<FixtureRequest, FixtureResponse> _answer = _ => FixtureResponse.NotFound;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _idp = await LoopbackHttpServer.StartAsync(r => _answer(r), Ct);
        _elsewhere = await LoopbackHttpServer.StartAsync(_ => FixtureResponse.Json(200, new { access_token = "at", token_type = "Bearer", expires_in = 60 }), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _idp.DisposeAsync();
        await _elsewhere.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    [InlineData(302)]
    public async Task A_token_endpoint_redirect_is_a_permanent_failure_naming_the_target_and_nothing_is_sent_there(int status)
    {
        _answer = _ => FixtureResponse.Empty(status, ("Location", _elsewhere.BaseUrl + "/token"));

        var failure = (await RequestAsync(Token, ClientAuthenticationMethod.ClientSecretPost)).Failure!;

        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal(FailureKind.Redirect, failure.Kind);
        Assert.Equal(Reasons.InvalidTokenResponse, failure.Reason);
        Assert.Contains($"redirects to {_elsewhere.BaseUrl}", failure.Description, StringComparison.Ordinal);
        Assert.Empty(_elsewhere.Requests);
    }

    [Fact]
    public async Task A_metadata_redirect_is_followed_and_the_document_is_used()
    {
        _answer = r => r.Path switch
        {
            "/.well-known/oauth-authorization-server" => FixtureResponse.Empty(301, ("Location", "/moved/metadata")),
            "/moved/metadata" => FixtureResponse.Json(200, new { issuer = _idp.BaseUrl, token_endpoint = _idp.BaseUrl + "/token" }),
            "/token" => FixtureResponse.Json(200, new { access_token = "at", token_type = "Bearer", expires_in = 60 }),
            _ => FixtureResponse.NotFound,
        };

        var grant = (await RequestAsync(Discovered)).Grant!;

        Assert.Equal("at", grant.AccessToken);
        Assert.Single(_idp.RequestsTo("/moved/metadata"));
    }

    [Fact]
    public async Task A_metadata_redirect_loop_stops_after_the_bound_with_a_permanent_DiscoveryFailed()
    {
        var hops = 0;
        _answer = r => r.Path.StartsWith("/.well-known/", StringComparison.Ordinal) || r.Path.StartsWith("/hop", StringComparison.Ordinal)
            ? FixtureResponse.Empty(302, ("Location", $"/hop{Interlocked.Increment(ref hops)}"))
            : FixtureResponse.NotFound;

        var failure = (await RequestAsync(Discovered)).Failure!;

        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal(Reasons.DiscoveryFailed, failure.Reason);
        Assert.Contains("redirects more than 3 times", failure.Description, StringComparison.Ordinal);
        // Three locations, each followed for at most 3 hops after its first answer.
        Assert.InRange(_idp.Requests.Count, 1, 3 * 4);
    }

    [Fact]
    public async Task Each_metadata_redirect_hop_passes_the_endpoint_guard()
    {
        _answer = _ => FixtureResponse.Empty(307, ("Location", "http://metadata.google.internal/computeMetadata/v1/"));
        var fixturePort = _idp.Port;
        await using var guarded = new ServiceCollection()
            .AddTokenEngine(configureHttp: http => http.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // The fixture itself is on loopback, which the guard refuses: only its port is let through unguarded.
                ConnectCallback = async (context, ct) => context.DnsEndPoint.Port == fixturePort
                    ? await ConnectPlainAsync(context.DnsEndPoint, ct)
                    : await GuardedConnect.ConnectAsync(context, ct),
            }))
            .BuildServiceProvider();
        var client = new TokenEndpointClient(guarded.GetRequiredService<IHttpClientFactory>(), TimeProvider.System, new TokenClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) });

        var failure = (await client.RequestTokenAsync(Discovered, new MonitorCredentials("v1", "secret-value", null), Ct)).Failure!;

        Assert.Equal(Reasons.EndpointNotAllowed, failure.Reason);
        Assert.True(failure.SpecCannotWork);
    }

    private static async ValueTask<Stream> ConnectPlainAsync(DnsEndPoint endpoint, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, endpoint.Port, ct);
        return new NetworkStream(socket, ownsSocket: true);
    }

    private TokenMonitorConfig Token => new()
    {
        WorkloadKey = "team-a/redirects",
        TokenEndpoint = new Uri(_idp.BaseUrl + "/token"),
        Grant = GrantType.ClientCredentials,
        ClientId = "client",
    };

    private TokenMonitorConfig Discovered => Token with { TokenEndpoint = null, Issuer = new Uri(_idp.BaseUrl) };

    private Task<TokenRequestResult> RequestAsync(TokenMonitorConfig config, ClientAuthenticationMethod auth = ClientAuthenticationMethod.ClientSecretBasic) =>
        new TokenEndpointClient(_services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System, new TokenClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) })
            .RequestTokenAsync(config with { ClientAuthentication = auth }, new MonitorCredentials("v1", "secret-value", null), Ct);
}
