using System.Text.RegularExpressions;
using RemoteWorkloadOperator.Tests.Support;

namespace RemoteWorkloadOperator.Tests.Demo;

/// <summary>Runs `make demo-once`'s program as a user would and checks what it narrates and leaves behind.</summary>
public sealed partial class DemoTests
{
    [Fact]
    public async Task Demo_narrates_the_lifecycle_in_order_and_leaves_no_process_behind()
    {
        var output = Directory.CreateTempSubdirectory("demo-test-").FullName;
        var run = await DotnetRun.ToExitAsync(DemoProgram.Dll(), ["--once", "--out", output], TimeSpan.FromMinutes(3));
        var narration = run.Stdout;

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("DEMO OK", narration, StringComparison.Ordinal);
        var phases = PhaseLine().Matches(narration).Where(m => m.Groups["workload"].Value == "sourcegraph").Select(m => m.Groups["phase"].Value);
        Assert.Equal(["Running", "AuthRetrying", "Running", "Unauthenticated", "Running"], phases);
        Assert.Contains("kubectl get rw -w", narration, StringComparison.Ordinal);

        var operatorPid = DemoProgram.OperatorPid(narration) ?? throw new InvalidOperationException("the demo did not name its operator process");
        Assert.False(DemoProgram.IsRunning(operatorPid), $"operator process {operatorPid} is still running after the demo ended");
        Assert.True(File.Exists(Path.Combine(output, "operator.log")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Chart_demo_gives_podman_the_repository_containers_conf_and_runs_the_pod_as_a_local_process_when_podman_cannot_start_it()
    {
        // A stand-in for a podman that is installed but cannot start containers here, exactly as on a machine whose
        // hard nofile limit is below podman's default ulimits: it records the CONTAINERS_CONF it was given.
        var bin = Directory.CreateTempSubdirectory("demo-fake-podman-").FullName;
        var seen = Path.Combine(bin, "containers-conf-seen");
        var podman = Path.Combine(bin, "podman");
        await File.WriteAllTextAsync(podman, $"#!/bin/sh\necho \"$CONTAINERS_CONF\" >> '{seen}'\necho 'Error: runc: error setting rlimit type 7: operation not permitted: OCI permission denied' >&2\nexit 126\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(podman, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var output = Directory.CreateTempSubdirectory("demo-test-").FullName;
        var run = await DotnetRun.ToExitAsync(
            DemoProgram.Dll(),
            ["--once", "--chart", "--operator-image", "localhost/remoteworkload-operator:test", "--out", output],
            TimeSpan.FromMinutes(4),
            new Dictionary<string, string?> { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}", ["CONTAINERS_CONF"] = null });
        var narration = run.Stdout;
        var errors = run.Stderr;

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(RepositoryPaths.Combine("scripts", "containers.conf"), (await File.ReadAllLinesAsync(seen, TestContext.Current.CancellationToken)).First());
        var fallback = Assert.Single(errors.Split('\n'), line => line.Contains("could not start with podman", StringComparison.Ordinal));
        Assert.Contains("error setting rlimit type 7: operation not permitted", fallback, StringComparison.Ordinal);
        Assert.Contains("running the operator as a local process instead", fallback, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", errors, StringComparison.Ordinal);
        // Only the operator's pod is run: the sample consumer Deployment names an image that exists nowhere.
        Assert.DoesNotContain("pod default/", narration, StringComparison.Ordinal);
        Assert.Contains("DEMO OK", narration, StringComparison.Ordinal);
        var operatorPid = DemoProgram.OperatorPid(narration) ?? throw new InvalidOperationException("the demo did not name its operator process");
        Assert.False(DemoProgram.IsRunning(operatorPid), $"operator process {operatorPid} is still running after the demo ended");
    }

    [GeneratedRegex(@"PHASE (?<workload>\S+) (?<phase>\S+) ")]
    private static partial Regex PhaseLine();
}
