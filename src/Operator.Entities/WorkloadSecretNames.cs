namespace RemoteWorkloadOperator.Entities;

/// <summary>The names of the Secrets the operator derives from a workload's name.</summary>
public static class WorkloadSecretNames
{
    /// <summary>Suffix of the default token Secret.</summary>
    public const string TokenSuffix = "-token";

    /// <summary>Suffix of the operator-private state Secret (rotated refresh tokens).</summary>
    public const string StateSuffix = "-oauth-state";

    /// <summary>The default token Secret of <paramref name="workloadName"/>.</summary>
    public static string DefaultToken(string workloadName) => workloadName + TokenSuffix;

    /// <summary>The state Secret of <paramref name="workloadName"/>: never a name consumers may mount.</summary>
    public static string State(string workloadName) => workloadName + StateSuffix;
}
