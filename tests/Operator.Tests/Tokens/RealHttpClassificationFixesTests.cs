using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Hosting;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>Token endpoint answers and transport failures real servers and networks produce, over the wire.</summary>
public sealed class RealHttpClassificationFixesTests : LoopbackIdpTest
{
    [Fact]
    public async Task Spring_Boot_403_error_page_is_transient_not_CredentialsRejected()
    {
        Answer = _ => FixtureResponse.Json(403, new { timestamp = "2026-12-01T09:00:00.000+00:00", status = 403, error = "Forbidden", path = "/oauth/token" });

        var failure = (await RequestAsync()).Failure!;

        Assert.Equal(FailureClass.Transient, failure.Class);
        Assert.Equal(FailureKind.NotOAuthResponse, failure.Kind);
        Assert.Null(failure.ErrorCode);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(200)]
    public async Task Server_error_code_is_transient_on_any_status(int status)
    {
        Answer = _ => FixtureResponse.Json(status, new { error = "server_error", error_description = "try again" });

        var failure = (await RequestAsync()).Failure!;

        Assert.Equal(FailureClass.Transient, failure.Class);
        Assert.Equal("server_error", failure.ErrorCode);
    }

    [Fact]
    public async Task Lowercase_bearer_is_published_as_Bearer()
    {
        Answer = _ => FixtureResponse.Json(200, new { access_token = "at", token_type = "bearer", expires_in = 60 });

        var grant = (await RequestAsync()).Grant!;

        Assert.Equal("Bearer", grant.TokenType);
    }

    [Fact]
    public async Task DPoP_token_type_is_a_permanent_InvalidTokenResponse_naming_the_type()
    {
        Answer = _ => FixtureResponse.Json(200, new { access_token = "at", token_type = "DPoP", expires_in = 60 });

        var failure = (await RequestAsync()).Failure!;

        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal(Reasons.InvalidTokenResponse, failure.Reason);
        Assert.Contains("token_type DPoP", failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eof_during_the_tls_handshake_is_a_transient_connection_failure()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var closer = Task.Run(
            async () =>
            {
                using var socket = await listener.AcceptSocketAsync(Ct);
                socket.Close();
            },
            Ct);

        var failure = (await RequestAsync(new Uri($"https://127.0.0.1:{port}/token"))).Failure!;
        await closer;

        Assert.Equal(FailureClass.Transient, failure.Class);
        Assert.Equal(FailureKind.Connection, failure.Kind);
        Assert.NotEqual(Reasons.TlsFailure, failure.Reason);
    }

    [Fact]
    public async Task Empty_dnsAnswer_behind_the_guard_is_a_transient_dns_failure()
    {
        await using var services = new ServiceCollection()
            .AddTokenEngine(configureHttp: http => http.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                ConnectCallback = GuardedConnect.Using((_, _) => ValueTask.FromResult(Array.Empty<IPAddress>())),
            }))
            .BuildServiceProvider();
        var client = new TokenEndpointClient(services.GetRequiredService<IHttpClientFactory>());

        var failure = (await client.RequestTokenAsync(Config(new Uri("https://idp.example.com/token")), Credentials, Ct)).Failure!;

        Assert.Equal(FailureClass.Transient, failure.Class);
        Assert.Equal(FailureKind.Dns, failure.Kind);
        Assert.NotEqual(Reasons.EndpointNotAllowed, failure.Reason);
    }

    private static MonitorCredentials Credentials => new("v1", "secret-value", null);

    private static TokenMonitorConfig Config(Uri tokenEndpoint) => new()
    {
        WorkloadKey = "team-a/classification",
        TokenEndpoint = tokenEndpoint,
        Grant = GrantType.ClientCredentials,
        ClientId = "client",
    };

    private Task<TokenRequestResult> RequestAsync(Uri? tokenEndpoint = null) =>
        new TokenEndpointClient(Services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System, new TokenClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) })
            .RequestTokenAsync(Config(tokenEndpoint ?? new Uri(Server.BaseUrl + "/token")), Credentials, Ct);
}
