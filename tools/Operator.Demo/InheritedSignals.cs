using System.Runtime.InteropServices;

namespace RemoteWorkloadOperator.Demo;

/// <summary>
/// A background job of a non-interactive shell (a script, many IDEs) starts with SIGINT ignored, and .NET
/// then never delivers it to <see cref="PosixSignalRegistration"/>. Restoring the default disposition
/// before registering makes the demo stop on SIGINT however it was started.
/// </summary>
internal static partial class InheritedSignals
{
    private const int SigInt = 2;

    public static void RestoreDefaultInterrupt()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = Signal(SigInt, IntPtr.Zero);
        }
    }

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial IntPtr Signal(int signal, IntPtr handler);
}
