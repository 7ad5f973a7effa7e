using System.Diagnostics;
using System.Text.RegularExpressions;

namespace RemoteWorkloadOperator.Chart.Tests;

/// <summary>The helm installer script and the Dockerfile agree with the chart and the project.</summary>
public sealed partial class ToolingTests
{
    [Fact]
    public async Task Fetch_helm_is_idempotent_and_offline_once_installed()
    {
        var installed = Helm.Path;
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.ArgumentList.Add(RepositoryPaths.Combine("scripts", "fetch-helm.sh"));
        start.Environment["npm_config_registry"] = "http://127.0.0.1:9/";

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0, error);
        Assert.Equal(installed, output.Trim());
        Assert.Equal(RepositoryPaths.Combine(".tools", "helm", "helm"), installed);
        var version = Helm.Run("version", "--short");
        Assert.StartsWith("v3.", version.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_runs_the_published_operator_as_the_chart_user_from_standard_images()
    {
        var dockerfile = File.ReadAllText(RepositoryPaths.Combine("Dockerfile"));
        var project = File.ReadAllText(RepositoryPaths.Combine("src", "Operator", "Operator.csproj"));
        var assembly = AssemblyName().Match(project).Groups[1].Value;

        // The base images are build arguments (make image passes local ones) defaulting to the public images.
        Assert.Matches(@"(?m)^ARG SDK_IMAGE=mcr\.microsoft\.com/dotnet/sdk:10\.0$", dockerfile);
        Assert.Matches(@"(?m)^ARG RUNTIME_IMAGE=mcr\.microsoft\.com/dotnet/(aspnet|runtime-deps):10\.0$", dockerfile);
        Assert.Matches(@"(?m)^FROM .*\$\{SDK_IMAGE\} AS build$", dockerfile);
        Assert.Matches(@"(?m)^FROM \$\{RUNTIME_IMAGE\}$", dockerfile);
        Assert.Matches(@"(?m)^ARG APP_IMAGE=build$", dockerfile);
        Assert.Matches(@"(?m)^\s+dotnet publish src/Operator/Operator\.csproj ", dockerfile);
        Assert.Matches(@"(?m)^USER 65532:65532$", dockerfile);
        Assert.Contains($"ENTRYPOINT [\"/app/{assembly}\"]", dockerfile, StringComparison.Ordinal);
        Assert.Matches(@"TMPDIR=/tmp", dockerfile);
    }

    [Fact]
    public void Docker_context_holds_every_project_the_operator_builds_from()
    {
        var ignore = File.ReadAllLines(RepositoryPaths.Combine(".dockerignore"));
        var dockerfile = File.ReadAllText(RepositoryPaths.Combine("Dockerfile"));
        var project = File.ReadAllText(RepositoryPaths.Combine("src", "Operator", "Operator.csproj"));

        Assert.Contains("!src/", ignore);
        Assert.Contains("!Directory.Packages.props", ignore);
        Assert.Contains("!Directory.Build.props", ignore);
        foreach (Match reference in ProjectReference().Matches(project))
        {
            var path = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "src", "Operator", reference.Groups[1].Value.Replace('\\', '/')));
            var relative = Path.GetRelativePath(RepositoryPaths.Root, path).Replace('\\', '/');
            Assert.StartsWith("src/", relative, StringComparison.Ordinal);
            Assert.Contains($"COPY {relative} ", dockerfile, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex("<AssemblyName>([^<]+)</AssemblyName>")]
    private static partial Regex AssemblyName();

    [GeneratedRegex("<ProjectReference Include=\"([^\"]+)\"")]
    private static partial Regex ProjectReference();
}
