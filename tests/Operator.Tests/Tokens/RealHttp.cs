using Microsoft.Extensions.DependencyInjection;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>One authorization server per test class, plus a real token client from IHttpClientFactory.</summary>
public sealed class AuthServerFixture : IAsyncLifetime
{
    public const string ConfidentialClient = "mcp-operator";
    public const string ConfidentialSecret = "s3cr3t-value";
    public const string PublicClient = "mcp-public";

    private ServiceProvider? _services;

    public TestAuthorizationServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Server = await TestAuthorizationServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        Server.RegisterClient(ConfidentialClient, ConfidentialSecret);
        Server.RegisterClient(PublicClient, null);
        _services = new ServiceCollection().AddTokenEngine().BuildServiceProvider();
    }

    /// <summary>A token client with its own discovery cache and the given per-request timeout.</summary>
    public TokenEndpointClient NewClient(TimeSpan? timeout = null) =>
        new(
            _services!.GetRequiredService<IHttpClientFactory>(),
            TimeProvider.System,
            new TokenClientOptions { RequestTimeout = timeout ?? TimeSpan.FromSeconds(10) });

    public TokenMonitorConfig Config(GrantType grant = GrantType.RefreshToken, ClientAuthenticationMethod auth = ClientAuthenticationMethod.ClientSecretBasic, bool discovery = false) =>
        new()
        {
            WorkloadKey = "team-a/test",
            Issuer = discovery ? Server.Issuer : null,
            TokenEndpoint = discovery ? null : Server.TokenEndpoint,
            Grant = grant,
            ClientId = auth == ClientAuthenticationMethod.None ? PublicClient : ConfidentialClient,
            ClientAuthentication = auth,
            Scopes = ["mcp:read"],
        };

    public async Task<MonitorCredentials> SeededCredentials(ClientAuthenticationMethod auth = ClientAuthenticationMethod.ClientSecretBasic)
    {
        var isPublic = auth == ClientAuthenticationMethod.None;
        var refreshToken = await Server.IssueRefreshTokenAsync(
            isPublic ? PublicClient : ConfidentialClient,
            isPublic ? null : ConfidentialSecret,
            ["mcp:read"],
            TestContext.Current.CancellationToken);
        return new MonitorCredentials("v1", isPublic ? null : ConfidentialSecret, refreshToken);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
