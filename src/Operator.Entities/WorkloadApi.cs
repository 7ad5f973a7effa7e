namespace RemoteWorkloadOperator.Entities;

/// <summary>Names that identify the RemoteWorkload API on the wire.</summary>
public static class WorkloadApi
{
    public const string Group = "workloads.dev";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
    public const string Kind = "RemoteWorkload";
    public const string ListKind = "RemoteWorkloadList";
    public const string Plural = "remoteworkloads";
    public const string Singular = "remoteworkload";
    public const string ShortName = "rw";
    public const string CrdName = Plural + "." + Group;
}
