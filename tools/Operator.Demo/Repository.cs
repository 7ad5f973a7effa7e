namespace RemoteWorkloadOperator.Demo;

/// <summary>Where the repository and the built operator are, seen from the demo's output folder.</summary>
internal static class Repository
{
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Operator.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Operator.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The operator built in the same configuration as the demo.</summary>
    public static string OperatorDll(string root)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        return Path.Combine(root, "src", "Operator", "bin", configuration, "net10.0", "remoteworkload-operator.dll");
    }
}
