namespace RemoteWorkloadOperator.Entities;

/// <summary>Values of <c>spec.tokenSecret.ownership</c>.</summary>
public static class SecretOwnership
{
    public const string Owner = "Owner";
    public const string Retain = "Retain";
}
