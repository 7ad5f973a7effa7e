using BenchmarkDotNet.Running;
using RemoteWorkloadOperator.Benchmarks;

if (args.Contains("--retained"))
{
    return await RetainedMemory.RunAsync(10_000).ConfigureAwait(false);
}

BenchmarkSwitcher.FromAssembly(typeof(IdleMonitorBenchmarks).Assembly).Run(args);
return 0;
