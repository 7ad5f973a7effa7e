using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Polly;
using Polly.Retry;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>The short retry: a Polly.Core retry pipeline on the injected clock, shared by every monitor with the same
/// options and clock. Its waits come from <see cref="TokenSchedule.ShortRetryDelay"/>.</summary>
public sealed partial class TokenMonitor
{
    private static readonly ResiliencePropertyKey<ShortRetryRun> RunKey = new("remoteworkload.short-retry");
    private static readonly ConditionalWeakTable<TimeProvider, ConcurrentDictionary<RetryPolicyOptions, ResiliencePipeline<AttemptOutcome>>> Pipelines = [];

    private async ValueTask<AttemptOutcome> ShortRetryAsync(CancellationToken stopToken)
    {
        var pipeline = Pipelines
            .GetValue(_time, static _ => new ConcurrentDictionary<RetryPolicyOptions, ResiliencePipeline<AttemptOutcome>>())
            .GetOrAdd(_config.Timing.Retry, static (retry, time) => BuildPipeline(retry, time), _time);
        var context = ResilienceContextPool.Shared.Get(stopToken);
        try
        {
            context.Properties.Set(RunKey, new ShortRetryRun(this, _time.GetUtcNow()));
            return await pipeline.ExecuteAsync(static (ctx, monitor) => monitor.AttemptAsync(ctx.CancellationToken), context, this).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static ResiliencePipeline<AttemptOutcome> BuildPipeline(RetryPolicyOptions retry, TimeProvider time) =>
        new ResiliencePipelineBuilder<AttemptOutcome> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<AttemptOutcome>
            {
                MaxRetryAttempts = Math.Max(1, retry.MaxAttempts),
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                ShouldHandle = args =>
                {
                    var run = args.Context.Properties.GetValue(RunKey, null!);
                    run.Planned = null;
                    if (args.Outcome.Result?.Failure is { IsTransient: true } failure)
                    {
                        var monitor = run.Monitor;
                        var elapsed = monitor._time.GetUtcNow() - run.StartedAt;
                        run.Planned = TokenSchedule.ShortRetryDelay(args.AttemptNumber + 1, elapsed, failure.RetryAfter, retry, monitor._jitter.NextDouble());
                        if (run.Planned is { } wait)
                        {
                            LogShortRetry(monitor._logger, monitor._config.WorkloadKey, args.AttemptNumber + 1, wait, failure.Description);
                        }
                    }

                    return ValueTask.FromResult(run.Planned is not null);
                },
                DelayGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(RunKey, null!).Planned),
            })
            .Build();

    /// <summary>Per-execution state of one short retry.</summary>
    private sealed class ShortRetryRun(TokenMonitor monitor, DateTimeOffset startedAt)
    {
        public TokenMonitor Monitor { get; } = monitor;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public TimeSpan? Planned { get; set; }
    }
}
