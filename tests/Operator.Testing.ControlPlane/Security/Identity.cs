namespace RemoteWorkloadOperator.Testing.ControlPlane.Security;

/// <summary>An authenticated user (or ServiceAccount) and its groups.</summary>
public sealed record Identity(string UserName, IReadOnlyList<string> Groups)
{
    public static Identity Admin { get; } = new("kubernetes-admin", ["system:masters", "system:authenticated"]);

    public bool IsMaster => Groups.Contains("system:masters");

    public static Identity ForServiceAccount(string ns, string name) =>
        new($"system:serviceaccount:{ns}:{name}", ["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"]);
}
