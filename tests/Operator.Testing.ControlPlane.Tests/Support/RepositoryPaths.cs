namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

/// <summary>Locates files of the repository from the test binary's directory.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Crds => Path.Combine(Root, "config", "crd");

    public static string Rbac => Path.Combine(Root, "config", "rbac");

    public static string Samples => Path.Combine(Root, "config", "samples");

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Operator.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root (Operator.sln) not found");
    }
}
