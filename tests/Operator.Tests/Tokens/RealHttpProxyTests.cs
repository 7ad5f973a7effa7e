using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// Proxies are used only when the operator is told to, and then the endpoint guard checks each target before the
/// request goes to the proxy (the connect-time guard sees only the proxy). A loopback server plays the forward proxy:
/// Kestrel accepts the absolute-form request line a client sends to an HTTP proxy (RFC 9112 §3.2.2).
/// </summary>
public sealed class RealHttpProxyTests : IAsyncLifetime
{
    private LoopbackHttpServer _proxy = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _proxy = await LoopbackHttpServer.StartAsync(_ => FixtureResponse.Json(200, new { access_token = "via-proxy", token_type = "Bearer", expires_in = 60 }), Ct);

    public async ValueTask DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task A_proxy_is_ignored_unless_the_operator_honours_proxies()
    {
        var ignored = await RequestAsync(new TokenClientOptions(), "http://idp.test/token");
        var honoured = await RequestAsync(new TokenClientOptions { ProxyFromEnvironment = true }, "http://idp.test/token");

        // Ignored: the name is looked up directly and does not exist.
        Assert.Equal(FailureKind.Dns, ignored.Failure!.Kind);
        Assert.Equal("via-proxy", honoured.Grant!.AccessToken);
        Assert.Equal("idp.test", Assert.Single(_proxy.Requests).Host);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/api/token", "metadata")]
    [InlineData("http://idp.test/token", "metadata")]
    [InlineData("http://kubernetes.default.svc/token", "API server")]
    public async Task Behind_a_proxy_a_forbidden_target_is_refused_before_the_request_reaches_the_proxy(string tokenUrl, string why)
    {
        var options = new TokenClientOptions
        {
            ProxyFromEnvironment = true,
            // idp.test resolves to Alibaba's metadata address: the guard checks what the target resolves to, too.
            ProxiedTargetGuard = () => new ProxiedTargetGuardHandler(EndpointGuard.ApiServerHosts("10.96.0.1"), (_, _) => ValueTask.FromResult(new[] { IPAddress.Parse("100.100.100.200") })),
        };

        var failure = (await RequestAsync(options, tokenUrl)).Failure!;

        Assert.Equal(Reasons.EndpointNotAllowed, failure.Reason);
        Assert.Contains(why, failure.Description, StringComparison.Ordinal);
        Assert.Empty(_proxy.Requests);
    }

    private async Task<TokenRequestResult> RequestAsync(TokenClientOptions options, string tokenUrl)
    {
        // The proxy a deployment would name in HTTPS_PROXY, set on the handler (the process's environment is shared by every test).
        await using var services = new ServiceCollection()
            .AddTokenEngine(options, http => http.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { Proxy = new WebProxy(_proxy.BaseUrl), UseProxy = true }))
            .BuildServiceProvider();
        var client = new TokenEndpointClient(services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System, options with { RequestTimeout = TimeSpan.FromSeconds(10) });
        return await client.RequestTokenAsync(
            new TokenMonitorConfig { WorkloadKey = "team-a/proxy", TokenEndpoint = new Uri(tokenUrl), Grant = GrantType.ClientCredentials, ClientId = "client" },
            new MonitorCredentials("v1", "secret-value", null),
            Ct);
    }
}
