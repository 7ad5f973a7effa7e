using System.Diagnostics;

namespace RemoteWorkloadOperator.Tests.Support;

/// <summary>Runs a built program (<c>dotnet program.dll args</c>) as a user would and waits for it to exit.</summary>
internal static class DotnetRun
{
    /// <summary>What the program printed and how it ended.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>Both streams, for assertion messages.</summary>
        public override string ToString() => $"exit {ExitCode}\n{Stdout}\n{Stderr}";
    }

    /// <param name="dll">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="timeout">How long it may run before the test fails.</param>
    /// <param name="environment">Changes to the inherited environment: a null value removes the variable.</param>
    public static async Task<Result> ToExitAsync(string dll, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments.Prepend(dll))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        await process.WaitForExitAsync(limit.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
