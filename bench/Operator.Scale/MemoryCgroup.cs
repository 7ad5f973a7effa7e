using System.Globalization;

namespace RemoteWorkloadOperator.Scale;

/// <summary>
/// A memory cgroup for the operator process, a child of the harness's own, with a hard limit: the operator runs under
/// the limit a pod would give it, its GC reads that limit at start as it would in a pod, and the kernel OOM-kills it
/// past the limit. cgroup v2 (<c>memory.max</c>, <c>memory.events</c>, <c>memory.peak</c>) and v1
/// (<c>memory.limit_in_bytes</c>, <c>memory.oom_control</c>, <c>memory.max_usage_in_bytes</c>) are both handled.
/// </summary>
internal sealed class MemoryCgroup : IDisposable
{
    private readonly string _directory;
    private readonly bool _v2;

    private MemoryCgroup(string directory, bool v2, long limitBytes)
    {
        _directory = directory;
        _v2 = v2;
        LimitBytes = limitBytes;
    }

    public long LimitBytes { get; }

    /// <summary>Writing a pid here moves that process (and its later children) into the cgroup.</summary>
    public string ProcsPath => Path.Combine(_directory, "cgroup.procs");

    /// <summary>Creates the child cgroup with <paramref name="limitBytes"/>, or explains why this machine cannot.</summary>
    public static MemoryCgroup Create(long limitBytes)
    {
        var lines = File.ReadAllLines("/proc/self/cgroup");
        var v1 = lines.Select(l => l.Split(':', 3)).FirstOrDefault(p => p.Length == 3 && p[1].Split(',').Contains("memory"));
        var name = $"rw-bench-{Environment.ProcessId}";
        if (v1 is not null && Directory.Exists("/sys/fs/cgroup/memory"))
        {
            var directory = Path.Combine("/sys/fs/cgroup/memory" + v1[2].TrimEnd('/'), name);
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "memory.limit_in_bytes"), limitBytes.ToString(CultureInfo.InvariantCulture));
            return new MemoryCgroup(directory, v2: false, limitBytes);
        }

        var unified = lines.Select(l => l.Split(':', 3)).FirstOrDefault(p => p.Length == 3 && p[0] == "0" && p[1].Length == 0)
            ?? throw new InvalidOperationException("no memory cgroup in /proc/self/cgroup");
        var v2Directory = Path.Combine("/sys/fs/cgroup" + unified[2].TrimEnd('/'), name);
        Directory.CreateDirectory(v2Directory);
        File.WriteAllText(Path.Combine(v2Directory, "memory.max"), limitBytes.ToString(CultureInfo.InvariantCulture));
        return new MemoryCgroup(v2Directory, v2: true, limitBytes);
    }

    /// <summary>How many times the kernel OOM-killed a process of this cgroup.</summary>
    public long OomKills()
    {
        var file = Path.Combine(_directory, _v2 ? "memory.events" : "memory.oom_control");
        foreach (var line in File.ReadLines(file))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["oom_kill", var count])
            {
                return long.Parse(count, CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>The cgroup's peak charge (anonymous memory and the page cache charged to it), in bytes.</summary>
    public long PeakUsageBytes()
    {
        var file = Path.Combine(_directory, _v2 ? "memory.peak" : "memory.max_usage_in_bytes");
        return File.Exists(file) ? long.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Parses a Kubernetes quantity such as <c>256Mi</c> or <c>1Gi</c> (binary suffixes, or bytes).</summary>
    public static long ParseQuantity(string quantity)
    {
        var suffixes = new (string Suffix, long Factor)[] { ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30) };
        foreach (var (suffix, factor) in suffixes)
        {
            if (quantity.EndsWith(suffix, StringComparison.Ordinal))
            {
                return long.Parse(quantity[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
            }
        }

        return long.Parse(quantity, CultureInfo.InvariantCulture);
    }

    /// <summary>The chart's <c>resources.limits.memory</c> (charts/remoteworkload-operator/values.yaml).</summary>
    public static string ChartLimit(string repository)
    {
        var inLimits = false;
        foreach (var line in File.ReadLines(Path.Combine(repository, "charts", "remoteworkload-operator", "values.yaml")))
        {
            var trimmed = line.Trim();
            if (trimmed == "limits:")
            {
                inLimits = true;
            }
            else if (inLimits && trimmed.StartsWith("memory:", StringComparison.Ordinal))
            {
                return trimmed["memory:".Length..].Trim();
            }
            else if (inLimits && !line.StartsWith("    ", StringComparison.Ordinal))
            {
                inLimits = false;
            }
        }

        throw new InvalidOperationException("no resources.limits.memory in the chart's values.yaml");
    }

    public void Dispose()
    {
        // Removable only once its processes are gone; a leftover empty cgroup is harmless.
        try
        {
            Directory.Delete(_directory);
        }
        catch (IOException)
        {
        }
    }
}
