using Microsoft.Extensions.DependencyInjection;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

/// <summary>The real token client (IHttpClientFactory, Duende.IdentityModel, the classifier) pointed at a fixture IdP.</summary>
public sealed class IdpHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private IdpHarness(FixtureIdp idp, TimeProvider clock)
    {
        Idp = idp;
        _services = new ServiceCollection().AddTokenEngine().BuildServiceProvider();
        Client = new TokenEndpointClient(_services.GetRequiredService<IHttpClientFactory>(), clock, new TokenClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
    }

    public FixtureIdp Idp { get; }

    public TokenEndpointClient Client { get; }

    public static async Task<IdpHarness> StartAsync(IdpShape shape, TimeProvider? clock = null)
    {
        var idp = await FixtureIdp.StartAsync(shape, clock, TestContext.Current.CancellationToken);
        return new IdpHarness(idp, clock ?? TimeProvider.System);
    }

    /// <summary>A workload config: discovery from the issuer when the IdP publishes metadata, else its token URL.</summary>
    public TokenMonitorConfig Config(
        GrantType grant = GrantType.RefreshToken,
        ClientAuthenticationMethod auth = ClientAuthenticationMethod.ClientSecretBasic) =>
        new()
        {
            WorkloadKey = "team-a/" + Idp.Shape.Name,
            Issuer = Idp.Issuer,
            TokenEndpoint = Idp.Issuer is null ? Idp.TokenEndpoint : null,
            Grant = grant,
            ClientId = FixtureIdp.ClientId,
            ClientAuthentication = auth,
        };

    public static MonitorCredentials Credentials(string? refreshToken, string secret = FixtureIdp.ClientSecret) => new("v1", secret, refreshToken);

    public Task<TokenRequestResult> RequestAsync(TokenMonitorConfig config, MonitorCredentials credentials) =>
        Client.RequestTokenAsync(config, credentials, TestContext.Current.CancellationToken);

    /// <summary>Paths the client fetched, in order (to prove what discovery did and did not touch).</summary>
    public IReadOnlyList<string> Paths => Idp.Server.Requests.Select(r => r.Path).ToList();

    public async ValueTask DisposeAsync()
    {
        await Idp.DisposeAsync();
        await _services.DisposeAsync();
    }
}
