using RemoteWorkloadOperator.Tests.Support;

namespace RemoteWorkloadOperator.Tests.Bench;

/// <summary>
/// `make bench` runs the real operator process under a real memory limit (a child memory cgroup, as a pod's limit) and
/// fails when the kernel OOM-kills it. These run the benchmark harness itself with a handful of workloads.
/// </summary>
public sealed class ScaleBenchMemoryLimitTests
{
    [Fact]
    public async Task The_bench_fails_and_names_the_OOM_kill_when_the_operator_exceeds_its_memory_limit()
    {
        var (exitCode, output) = await RunBenchAsync("32Mi");

        Assert.True(exitCode == 1, $"bench exited {exitCode}\n{output}");
        Assert.Contains("OOM kills 1", output, StringComparison.Ordinal);
        Assert.Contains("bench: FAILED: the operator was OOM-killed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bench_passes_with_no_OOM_kill_when_the_operator_fits_its_memory_limit()
    {
        var (exitCode, output) = await RunBenchAsync("512Mi");

        Assert.True(exitCode == 0, $"bench exited {exitCode}\n{output}");
        Assert.Contains("operator memory limit: 512Mi", output, StringComparison.Ordinal);
        Assert.Contains("OOM kills 0", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunBenchAsync(string limit)
    {
        Assert.SkipUnless(CanCreateMemoryCgroup(out var why), why);
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var bench = RepositoryPaths.Combine("bench", "Operator.Scale", "bin", configuration, "net10.0", "Operator.Scale.dll");
        var operatorDll = RepositoryPaths.Combine("src", "Operator", "bin", configuration, "net10.0", "remoteworkload-operator.dll");
        Assert.True(File.Exists(bench), $"bench not built at {bench}");
        var result = await DotnetRun.ToExitAsync(bench,
        [
            "--n", "10", "--rate", "100", "--idle-seconds", "1", "--scenario", "scale", "--memory-limit", limit,
            "--operator-dll", operatorDll, "--out", Directory.CreateTempSubdirectory("bench-limit-").FullName,
        ], TimeSpan.FromMinutes(3));
        return (result.ExitCode, result.Stdout + result.Stderr);
    }

    /// <summary>The harness needs a writable memory cgroup of its own (root on cgroup v1, or a delegated v2 subtree).</summary>
    private static bool CanCreateMemoryCgroup(out string why)
    {
        var memory = File.ReadAllLines("/proc/self/cgroup").Select(l => l.Split(':', 3)).FirstOrDefault(p => p.Length == 3 && p[1].Split(',').Contains("memory"));
        var directory = memory is not null ? "/sys/fs/cgroup/memory" + memory[2] : "/sys/fs/cgroup" + (File.ReadAllLines("/proc/self/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..] ?? "/");
        var probe = Path.Combine(directory, $"rw-bench-probe-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            why = "";
            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            why = $"this machine gives the tests no writable memory cgroup ({directory}: {e.Message})";
            return false;
        }
    }
}
