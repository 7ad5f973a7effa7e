using System.Globalization;
using RemoteWorkloadOperator.Testing.ControlPlane.Yaml;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Host;

/// <summary>Command line of the control plane host.</summary>
internal sealed record HostArguments
{
    public const string Usage = """
        usage: Operator.Testing.ControlPlane.Host --kubeconfig-out PATH [--port N] [--crd DIR|FILE ...] [--rbac DIR|FILE ...] [--sa-kubeconfig-out PATH] [--owner-references-permission-enforcement]
          --kubeconfig-out PATH      write the admin kubeconfig here (required)
          --port N                   listen on 127.0.0.1:N (default 0: a free port)
          --crd DIR|FILE             apply CRDs at start (repeatable)
          --rbac DIR|FILE            apply RBAC at start and enforce it (repeatable); for every
                                     ServiceAccount in those files also write a kubeconfig,
                                     by default <kubeconfig dir>/<serviceaccount name>.kubeconfig
          --sa-kubeconfig-out PATH   where to write the ServiceAccount kubeconfig (one ServiceAccount)
          --owner-references-permission-enforcement
                                     enable that admission plugin (as on OpenShift): setting
                                     ownerReferences needs delete on the object
        """;

    public string? KubeconfigOut { get; private set; }

    public int Port { get; private set; }

    public List<string> Crds { get; } = [];

    public List<string> Rbac { get; } = [];

    public string? ServiceAccountKubeconfigOut { get; private set; }

    public bool OwnerReferencesPermissionEnforcement { get; private set; }

    public string? Error { get; private set; }

    public static HostArguments Parse(string[] args)
    {
        var result = new HostArguments();
        for (var i = 0; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--kubeconfig-out":
                    result.KubeconfigOut = Next();
                    break;
                case "--port":
                    if (!int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                    {
                        result.Error = "--port needs a number";
                        return result;
                    }

                    result.Port = port;
                    break;
                case "--crd":
                    result.Crds.Add(Next() ?? "");
                    break;
                case "--rbac":
                    result.Rbac.Add(Next() ?? "");
                    break;
                case "--sa-kubeconfig-out":
                    result.ServiceAccountKubeconfigOut = Next();
                    break;
                case "--owner-references-permission-enforcement":
                    result.OwnerReferencesPermissionEnforcement = true;
                    break;
                default:
                    result.Error = $"unknown argument {args[i]}";
                    return result;
            }
        }

        if (string.IsNullOrEmpty(result.KubeconfigOut))
        {
            result.Error = "--kubeconfig-out is required";
        }

        foreach (var path in result.Crds.Concat(result.Rbac))
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                result.Error = $"no such file or directory: {path}";
            }
        }

        return result;
    }

    /// <summary>The ServiceAccounts declared in the RBAC files (namespace, name).</summary>
    public static IEnumerable<(string Namespace, string Name)> ServiceAccountsIn(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            IEnumerable<string> files = Directory.Exists(path) ? Directory.EnumerateFiles(path).Order(StringComparer.Ordinal) : [path];
            foreach (var file in files.Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)))
            {
                foreach (var document in YamlJson.ReadDocuments(File.ReadAllText(file)))
                {
                    if (document["kind"]?.GetValue<string>() == "ServiceAccount")
                    {
                        yield return (document["metadata"]?["namespace"]?.GetValue<string>() ?? "default", document["metadata"]?["name"]?.GetValue<string>() ?? "");
                    }
                }
            }
        }
    }
}
