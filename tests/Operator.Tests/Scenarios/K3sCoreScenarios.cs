namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>The core scenarios (1–5 and 9) against K3s; skipped, with the reason, where Docker is missing.</summary>
public sealed class K3sCoreScenarios(K3sEnvironment environment) : CoreScenarios<K3sEnvironment>(environment);
