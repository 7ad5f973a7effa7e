using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace RemoteWorkloadOperator.Tests.Demo;

/// <summary>The built demo program and what its narration tells a test about the processes it started.</summary>
internal static partial class DemoProgram
{
    /// <summary>The demo's dll for the configuration these tests were built in.</summary>
    public static string Dll()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var demo = RepositoryPaths.Combine("tools", "Operator.Demo", "bin", configuration, "net10.0", "Operator.Demo.dll");
        Assert.True(File.Exists(demo), $"demo not built at {demo}");
        return demo;
    }

    /// <summary>The operator's process id from the narration line <c>OPERATOR_PID n</c>, if this text has it.</summary>
    public static int? OperatorPid(string? text) =>
        text is not null && OperatorPidLine().Match(text) is { Success: true } match
            ? int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture)
            : null;

    /// <summary>Whether a process with this id still runs.</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"OPERATOR_PID (?<pid>\d+)")]
    private static partial Regex OperatorPidLine();
}
