using Microsoft.Extensions.DependencyInjection;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// The start of a real-HTTP test of the token client: the token engine as the operator wires it, and a loopback server
/// whose every answer the test sets in <see cref="Answer"/>.
/// </summary>
public abstract class LoopbackIdpTest : IAsyncLifetime
{
    /// <summary>The token engine (named HttpClient with its handlers, token client).</summary>
    protected ServiceProvider Services { get; } = new ServiceCollection().AddTokenEngine().BuildServiceProvider();

    /// <summary>The loopback server standing in for the IdP.</summary>
    protected LoopbackHttpServer Server { get; private set; } = null!;

    /// <summary>What the server answers to each request (404 until a test sets it).</summary>
    protected Func<FixtureRequest, FixtureResponse> Answer { get; set; } = _ => FixtureResponse.NotFound;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => Server = await LoopbackHttpServer.StartAsync(r => Answer(r), Ct);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Services.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
