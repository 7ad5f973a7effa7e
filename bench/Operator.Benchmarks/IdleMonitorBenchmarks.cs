using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Time.Testing;

namespace RemoteWorkloadOperator.Benchmarks;

/// <summary>
/// The cost of 10,000 idle monitors on a fake clock: starting them (each obtains a token and arms one timer), and
/// advancing the clock while they idle (no timer is due, so this must cost next to nothing).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class IdleMonitorBenchmarks
{
    private const int Fleet = 10_000;

    private FakeTimeProvider _time = null!;
    private IdleFleet _idle = null!;

    [GlobalSetup(Target = nameof(AdvanceClockWithIdleFleet))]
    public void SetupIdle()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        _idle = IdleFleet.Start(Fleet, _time);
    }

    [GlobalCleanup(Target = nameof(AdvanceClockWithIdleFleet))]
    public void CleanupIdle() => _idle.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Start 10,000 monitors to Running and stop them again (reported per monitor). The fake clock keeps its
    /// timers in a list, so its numbers include FakeTimeProvider's own O(n) bookkeeping; the system clock shows the engine.</summary>
    [Benchmark(OperationsPerInvoke = Fleet)]
    [Arguments(false)]
    [Arguments(true)]
    public async Task StartAndStopPerMonitor(bool systemClock)
    {
        TimeProvider time = systemClock ? TimeProvider.System : new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        await using var fleet = IdleFleet.Start(Fleet, time);
    }

    /// <summary>Advance the clock by one second while 10,000 monitors idle.</summary>
    [Benchmark]
    public void AdvanceClockWithIdleFleet() => _time.Advance(TimeSpan.FromSeconds(1));
}
