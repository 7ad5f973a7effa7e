namespace RemoteWorkloadOperator.Entities;

/// <summary>Condition types in <c>status.conditions</c>.</summary>
public static class ConditionTypes
{
    /// <summary>True only in phase Running.</summary>
    public const string Ready = "Ready";

    /// <summary>True exactly while phase is AuthRetrying; its lastTransitionTime is the retry start.</summary>
    public const string AuthRetrying = "AuthRetrying";
}
