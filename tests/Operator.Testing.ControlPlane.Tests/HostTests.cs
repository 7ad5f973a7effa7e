using System.Diagnostics;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>The runnable host's contract: the `kubeconfig:` line, the ServiceAccount kubeconfig, clean SIGTERM.</summary>
public sealed class HostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string HostDll()
    {
        // bin/<Configuration>/net10.0 of this test project → the same of the host project.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        return Path.Combine(RepositoryPaths.Root, "tests", "Operator.Testing.ControlPlane.Host", "bin", configuration, output.Name, "Operator.Testing.ControlPlane.Host.dll");
    }

    [Fact]
    public async Task Host_prints_kubeconfig_serves_and_stops_on_SIGTERM()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "SIGTERM is a POSIX signal");
        var scratch = Directory.CreateTempSubdirectory("cp-host-").FullName;
        var kubeconfig = Path.Combine(scratch, "admin.kubeconfig");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepositoryPaths.Root };
        foreach (var arg in new[] { HostDll(), "--kubeconfig-out", kubeconfig, "--crd", RepositoryPaths.Crds, "--rbac", RepositoryPaths.Rbac })
        {
            info.ArgumentList.Add(arg);
        }

        using var host = Process.Start(info)!;
        var lines = new List<string>();
        var ready = new TaskCompletionSource();
        var stopped = new TaskCompletionSource();
        host.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data == $"kubeconfig: {kubeconfig}")
            {
                ready.TrySetResult();
            }
            else if (e.Data == "control plane stopped")
            {
                stopped.TrySetResult();
            }
        };
        host.BeginOutputReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            var serviceAccountKubeconfig = Path.Combine(scratch, "remoteworkload-operator.kubeconfig");
            Assert.Contains($"serviceaccount-kubeconfig: {serviceAccountKubeconfig} (remoteworkload-system/remoteworkload-operator)", lines);

            var admin = (await new Kubectl(Kubectl.Fixed133, kubeconfig, scratch).RunAsync("get", "crd", "-o", "name")).EnsureSuccess();
            Assert.Equal("customresourcedefinition.apiextensions.k8s.io/remoteworkloads.workloads.dev", admin.Stdout.Trim());
            var asOperator = new Kubectl(Kubectl.Fixed133, serviceAccountKubeconfig, scratch);
            (await asOperator.RunAsync("get", "rw", "-A")).EnsureSuccess();
            Assert.Equal("no", (await asOperator.RunAsync("auth", "can-i", "delete", "remoteworkloads")).Stdout.Trim());

            using (var kill = Process.Start("kill", ["-TERM", host.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(Ct);
            }

            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await host.WaitForExitAsync(exit.Token);
            Assert.Equal(0, host.ExitCode);
            await stopped.Task.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill(entireProcessTree: true);
            }

            Directory.Delete(scratch, recursive: true);
        }
    }
}
