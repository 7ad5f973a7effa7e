using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;

namespace RemoteWorkloadOperator.Benchmarks;

/// <summary>
/// Retained memory per idle monitor and thread count, for 10,000 monitors on a fake clock and on the system clock
/// (real timers). Run with <c>--retained</c>.
/// </summary>
internal static class RetainedMemory
{
    public static async Task<int> RunAsync(int count)
    {
        var failed = false;
        foreach (var (name, time) in new (string, TimeProvider)[]
        {
            ("FakeTimeProvider", new FakeTimeProvider(DateTimeOffset.UtcNow)),
            ("TimeProvider.System", TimeProvider.System),
        })
        {
            var threadsBefore = Process.GetCurrentProcess().Threads.Count;
            var before = Settle();
            var fleet = IdleFleet.Start(count, time);
            var after = Settle();
            var threadsAfter = Process.GetCurrentProcess().Threads.Count;
            var running = fleet.AllRunning();
            var perMonitor = (after - before) / (double)count;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name}: {count} idle monitors, all Running={running}, retained {(after - before) / 1024.0 / 1024.0:F2} MiB = {perMonitor:F0} bytes/monitor, threads {threadsBefore} -> {threadsAfter}"));
            failed |= !running || perMonitor > 4096 || threadsAfter - threadsBefore > 8;
            GC.KeepAlive(fleet);
            await fleet.DisposeAsync().ConfigureAwait(false);
        }

        Console.WriteLine(failed ? "FAIL: goal is <= 4096 bytes per idle monitor and no thread per monitor" : "OK: <= 4096 bytes per idle monitor, no thread per monitor");
        return failed ? 1 : 0;
    }

    private static long Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
