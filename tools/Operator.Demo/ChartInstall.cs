using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RemoteWorkloadOperator.Demo;

/// <summary>`helm upgrade --install` of charts/remoteworkload-operator on the demo's control plane, with values for a loopback IdP.</summary>
internal static class ChartInstall
{
    public const string Release = "remoteworkload-operator";
    public const string Namespace = "remoteworkload-system";

    /// <summary>A free loopback port for the operator's health and metrics listener.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task InstallAsync(string repository, string kubeconfig, string helmHome, string image, int port, IReadOnlyDictionary<string, string> retry, CancellationToken cancellationToken)
    {
        var helm = await RunAsync("bash", [Path.Combine(repository, "scripts", "fetch-helm.sh")], null, cancellationToken).ConfigureAwait(false);
        var separator = image.LastIndexOf(':');
        var values = new List<string>
        {
            "upgrade", "--install", Release, Path.Combine(repository, "charts", "remoteworkload-operator"),
            "--namespace", Namespace, "--create-namespace",
            "--set", $"image.repository={image[..separator]}", "--set", $"image.tag={image[(separator + 1)..]}",
            "--set", "logFormat=console", "--set", "allowInsecureEndpoints=true", "--set", "allowPrivateEndpoints=true",
            "--set", string.Create(CultureInfo.InvariantCulture, $"metrics.port={port}"),
            // The pod's address on this machine is loopback: the listener binds there, not on every interface.
            "--set", string.Create(CultureInfo.InvariantCulture, $"extraArgs={{--health-addr=127.0.0.1:{port},--startup-spread=0s}}"),
        };
        foreach (var (name, value) in retry)
        {
            values.AddRange(["--set", $"retry.{name}={value}"]);
        }

        var environment = new Dictionary<string, string>
        {
            ["KUBECONFIG"] = kubeconfig,
            ["HELM_CONFIG_HOME"] = Path.Combine(helmHome, "config"),
            ["HELM_CACHE_HOME"] = Path.Combine(helmHome, "cache"),
            ["HELM_DATA_HOME"] = Path.Combine(helmHome, "data"),
        };
        await RunAsync(helm.Trim().Split('\n')[^1], values, environment, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> RunAsync(string file, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments.Take(3))} failed ({process.ExitCode}): {await error.ConfigureAwait(false)}");
        }

        return await output.ConfigureAwait(false);
    }
}
