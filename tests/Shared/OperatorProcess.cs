using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RemoteWorkloadOperator.Tests.Shared;

/// <summary>
/// The real operator (`dotnet remoteworkload-operator.dll`) as its own process, as `make run` starts it, with its output in
/// a log file and its /proc counters and /metrics at hand. The demo and the scale benchmark both run it through this class.
/// </summary>
internal sealed class OperatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private OperatorProcess(Process process, StreamWriter log, string logPath, int healthPort)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
        HealthPort = healthPort;
    }

    public int ProcessId => _process.Id;

    public int HealthPort { get; }

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    public Uri MetricsUri => new($"http://127.0.0.1:{HealthPort}/metrics");

    /// <summary>Starts the operator against <paramref name="kubeconfig"/> without leader election, development endpoints allowed.</summary>
    /// <param name="operatorDll">remoteworkload-operator.dll.</param>
    /// <param name="kubeconfig">The cluster to work on.</param>
    /// <param name="logPath">Where its stdout and stderr go (appended).</param>
    /// <param name="environment">Extra environment variables (retry defaults, GC settings).</param>
    /// <param name="startupSpread">Its --startup-spread.</param>
    /// <param name="logFormat">Its --log-format: json or console.</param>
    /// <param name="extraArgs">More operator flags (e.g. <c>--api-max-concurrent-requests=8</c>).</param>
    /// <param name="cgroupProcs">A cgroup's <c>cgroup.procs</c> to start the process in (before the runtime starts, so
    /// that the GC sees the cgroup's memory limit as in a pod), or null.</param>
    public static OperatorProcess Start(string operatorDll, string kubeconfig, string logPath, IReadOnlyDictionary<string, string> environment, TimeSpan startupSpread = default, string logFormat = "json", string? cgroupProcs = null, IReadOnlyList<string>? extraArgs = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(cgroupProcs is null ? "dotnet" : "/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (cgroupProcs is not null)
        {
            // The shell moves itself into the cgroup and becomes dotnet (same pid): the runtime starts inside it.
            foreach (var arg in new[] { "-c", "echo $$ > \"$0\" && exec \"$@\"", cgroupProcs, "dotnet" })
            {
                start.ArgumentList.Add(arg);
            }
        }

        string[] arguments =
        [
            operatorDll, "--kubeconfig", kubeconfig, "--leader-elect=false", $"--log-format={logFormat}",
            $"--health-addr=127.0.0.1:{port}", "--allow-insecure-endpoints", "--allow-private-endpoints",
            $"--startup-spread={(int)startupSpread.TotalSeconds}s",
            .. extraArgs ?? [],
        ];
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the operator process");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new OperatorProcess(process, log, logPath, port);
    }

    /// <summary>Waits until /metrics answers (the health server is up).</summary>
    public async Task WaitForMetricsAsync(HttpClient http, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the operator exited with {_process.ExitCode}; see its log");
            }

            try
            {
                using var response = await http.GetAsync(MetricsUri);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException("the operator's /metrics did not answer in time");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>kill -9 (SIGKILL): no shutdown code runs.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>User+system CPU seconds of the process so far (/proc/pid/stat, 100 ticks per second).</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{ProcessId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ": field 3 (state) is index 0, so utime (14) is index 11, stime (15) index 12.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Resident set size in bytes (/proc/pid/status VmRSS).</summary>
    public long RssBytes() => StatusBytes("VmRSS:");

    private long StatusBytes(string field)
    {
        if (_process.HasExited)
        {
            return 0;
        }

        foreach (var line in File.ReadLines($"/proc/{ProcessId}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>Peak resident set size in bytes so far (/proc/pid/status VmHWM).</summary>
    public long PeakRssBytes() => StatusBytes("VmHWM:");

    /// <summary>The exit code once the process has exited (137 after a SIGKILL, e.g. the kernel's OOM killer).</summary>
    public int ExitCode => _process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        await _log.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }
}
