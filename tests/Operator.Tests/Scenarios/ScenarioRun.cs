using RemoteWorkloadOperator.Testing.AuthServer;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>What <see cref="ScenarioEnvironment.StartRunningAsync"/> set up; disposing it stops the operator and the IdP.</summary>
internal sealed class ScenarioRun(TestAuthorizationServer idp, string ns, ScenarioOperator op) : IAsyncDisposable
{
    public TestAuthorizationServer Idp { get; } = idp;

    public string Namespace { get; } = ns;

    public ScenarioOperator Operator { get; } = op;

    public async ValueTask DisposeAsync()
    {
        await Operator.DisposeAsync();
        await Idp.DisposeAsync();
    }
}
