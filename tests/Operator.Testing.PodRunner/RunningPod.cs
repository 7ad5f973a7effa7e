using System.Diagnostics;
using System.Net.Http;
using k8s.Models;

namespace RemoteWorkloadOperator.Testing.PodRunner;

/// <summary>One pod: its process (podman or local) with output in a log file, and its readiness probe.</summary>
public sealed class RunningPod : IAsyncDisposable
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly V1Probe? _readiness;
    private readonly IList<V1ContainerPort>? _ports;
    private readonly string? _containerName;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private volatile bool _wasReady;

    internal RunningPod(string name, long generation, IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment, V1Container container, string logPath, string? containerName)
    {
        Name = name;
        Generation = generation;
        LogPath = logPath;
        _readiness = container.ReadinessProbe;
        _ports = container.Ports;
        _containerName = containerName;
        _environment = environment ?? new Dictionary<string, string>();
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        _log = new StreamWriter(logPath) { AutoFlush = true };
        // The command line without environment values (they may hold credentials).
        _log.WriteLine($"# pod {name}: {string.Join(' ', command.Where((a, i) => i == 0 || command[i - 1] != "-e"))}");
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command[0]}");
        _process.OutputDataReceived += (_, e) => Write(e.Data);
        _process.ErrorDataReceived += (_, e) => Write(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    /// <summary>The Deployment generation this pod was started for.</summary>
    public long Generation { get; }

    public string LogPath { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Whether the readiness probe ever answered ready: a pod that exits before that never started.</summary>
    public bool WasReady => _wasReady;

    /// <summary>The last line the pod wrote (its own output, not the runner's header), or null when it wrote none.</summary>
    public string? LastOutputLine()
    {
        lock (_log)
        {
            _log.Flush();
        }

        using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return reader.ReadToEnd().Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0 && !l.StartsWith("# pod ", StringComparison.Ordinal));
    }

    /// <summary>The readiness probe's answer now (an httpGet probe on 127.0.0.1; no probe means ready while running).</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        var ready = await ProbeAsync(cancellationToken).ConfigureAwait(false);
        _wasReady |= ready;
        return ready;
    }

    private async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        if (_process.HasExited)
        {
            return false;
        }

        if (_readiness?.HttpGet is not { } get)
        {
            return true;
        }

        try
        {
            // A probe names its port or gives its number, as in the container's ports.
            var port = _ports?.FirstOrDefault(p => p.Name == get.Port.Value)?.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? get.Port.Value;
            using var response = await Probe.GetAsync(new Uri($"http://127.0.0.1:{port}{get.Path}"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Stops the pod as a kubelet does: SIGTERM, then a kill after the grace period.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            if (_containerName is not null)
            {
                var podmanStop = new ProcessStartInfo("podman", ["stop", "--time", "10", _containerName]) { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var (key, value) in _environment)
                {
                    podmanStop.Environment[key] = value;
                }

                using var stop = Process.Start(podmanStop);
                await (stop?.WaitForExitAsync() ?? Task.CompletedTask).ConfigureAwait(false);
            }
            else
            {
                Interrupt(_process.Id);
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        _process.Dispose();
        await _log.DisposeAsync().ConfigureAwait(false);
    }

    private static void Interrupt(int processId)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", processId.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit();
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.WriteLine(line);
        }
    }
}
