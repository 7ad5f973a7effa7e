namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>The core scenarios against the in-process API emulator.</summary>
public sealed class EmulatorCoreScenarios(EmulatorEnvironment environment) : CoreScenarios<EmulatorEnvironment>(environment);
