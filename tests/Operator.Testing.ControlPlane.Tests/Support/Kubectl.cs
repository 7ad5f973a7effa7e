using System.Diagnostics;
using System.Text;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

/// <summary>Runs a real kubectl binary against a kubeconfig, with a private cache directory and HOME.</summary>
internal sealed class Kubectl(string binary, string kubeconfig, string scratch)
{
    /// <summary>The fixed 1.33 binary.</summary>
    public const string Fixed133 = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

    /// <summary>The dispatcher on PATH, which picks a binary from the server's /version.</summary>
    public const string Dispatcher = "/usr/bin/kubectl";

    public static bool Available(string binary) => File.Exists(binary);

    public string Binary => binary;

    private ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        Assert.SkipUnless(File.Exists(binary), $"{binary} is not installed (install the google-cloud-cli kubectl packages)");
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        info.ArgumentList.Add("--kubeconfig");
        info.ArgumentList.Add(kubeconfig);
        info.ArgumentList.Add("--cache-dir");
        info.ArgumentList.Add(Path.Combine(scratch, "cache"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = scratch;
        info.Environment["KUBECONFIG"] = kubeconfig;
        info.Environment.Remove("KUBECTL_EXTERNAL_DIFF");
        return info;
    }

    public async Task<KubectlResult> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish in 30s");
        }

        return new KubectlResult(process.ExitCode, await stdout, await stderr, string.Join(' ', args));
    }

    /// <summary>Starts a long-running kubectl (e.g. <c>get -w</c>) whose output lines are collected.</summary>
    public StreamingKubectl Start(params string[] args)
    {
        var process = Process.Start(StartInfo(args))!;
        process.StandardInput.Close();
        return new StreamingKubectl(process);
    }
}

internal sealed record KubectlResult(int ExitCode, string Stdout, string Stderr, string Command)
{
    public KubectlResult EnsureSuccess() =>
        ExitCode == 0 ? this : throw new Xunit.Sdk.XunitException($"kubectl {Command} exited {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");

    public override string ToString() => $"kubectl {Command} → {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

internal sealed class StreamingKubectl : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    public StreamingKubectl(Process process)
    {
        _process = process;
        _ = PumpAsync(process.StandardOutput);
        _ = PumpAsync(process.StandardError);
    }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_gate)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>Waits (polling, bounded) until the output satisfies <paramref name="condition"/>.</summary>
    public async Task WaitForAsync(Func<string, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Output))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"timed out waiting for {what}; kubectl output so far:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
