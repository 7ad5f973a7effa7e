using System.Diagnostics;

namespace RemoteWorkloadOperator.Demo;

/// <summary>The operator, started as its own process exactly as `make run` would, with its output in a log file.</summary>
internal sealed class OperatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private OperatorProcess(Process process, StreamWriter log, string logPath)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public int ProcessId => _process.Id;

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    public static OperatorProcess Start(string operatorDll, string kubeconfig, string logPath, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            operatorDll, "--kubeconfig", kubeconfig, "--leader-elect=false", "--log-format=console",
            "--health-addr=127.0.0.1:0", "--allow-insecure-endpoints", "--allow-private-endpoints", "--startup-spread=0s",
        })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the operator process");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new OperatorProcess(process, log, logPath);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        await _log.DisposeAsync().ConfigureAwait(false);
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
