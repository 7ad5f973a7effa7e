using k8s;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>What every scenario class on the emulator shares: its own control plane, an admin client, how long a
/// change may take to settle, the test's cancellation, and waiting for a state instead of sleeping.</summary>
public abstract class EmulatorScenario(EmulatorEnvironment environment) : IClassFixture<EmulatorEnvironment>
{
    protected static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    protected EmulatorEnvironment Environment { get; } = environment;

    protected Kubernetes Admin => Environment.Admin;

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Waits until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after the timeout.</summary>
    protected static Task Eventually(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Waits until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after the timeout.</summary>
    protected static Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Waiting.UntilAsync(condition, what, timeout ?? Settle, Cancel);
}
