using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Polly;
using Polly.Retry;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>The short retry: a Polly.Core retry pipeline on the injected clock, shared by every monitor with the same
/// options and clock. Its waits come from <see cref="TokenSchedule.ShortRetryDelay"/>; a refresh's short retry also ends
/// when the published token expires, so Ready never stays True over an expired token.</summary>
public sealed partial class TokenMonitor
{
    private static readonly ResiliencePropertyKey<ShortRetryRun> RunKey = new("remoteworkload.short-retry");
    private static readonly ConditionalWeakTable<TimeProvider, ConcurrentDictionary<RetryPolicy, ResiliencePipeline<AttemptOutcome>>> Pipelines = [];

    private async ValueTask<AttemptOutcome> ShortRetryAsync()
    {
        var pipeline = Pipelines
            .GetValue(_time, static _ => new ConcurrentDictionary<RetryPolicy, ResiliencePipeline<AttemptOutcome>>())
            .GetOrAdd(_config.Timing.Retry, static (retry, time) => BuildPipeline(retry, time), _time);
        DateTimeOffset? publishedExpiry;
        lock (_gate)
        {
            publishedExpiry = _state.Phase == WorkloadPhase.Running ? _state.ExpiresAt : null;
        }

        // Only the waits between attempts are cancelled by a stop; a sent request runs under the grace bound.
        var context = ResilienceContextPool.Shared.Get(_stop.Token);
        try
        {
            context.Properties.Set(RunKey, new ShortRetryRun(this, _time.GetUtcNow(), publishedExpiry));
            return await pipeline.ExecuteAsync(static (_, monitor) => monitor.AttemptAsync(), context, this).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static ResiliencePipeline<AttemptOutcome> BuildPipeline(RetryPolicy retry, TimeProvider time) =>
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
                        var now = monitor._time.GetUtcNow();
                        run.Planned = TokenSchedule.ShortRetryDelay(args.AttemptNumber + 1, now - run.StartedAt, failure.RetryAfter, retry, monitor._jitter.NextDouble());
                        if (run.Planned is { } planned && run.PublishedExpiry is { } expiry)
                        {
                            // The published token expires: the last retry happens at its expiry, then AuthRetrying.
                            run.Planned = expiry <= now ? null : (now + planned > expiry ? expiry - now : planned);
                        }

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
    private sealed class ShortRetryRun(TokenMonitor monitor, DateTimeOffset startedAt, DateTimeOffset? publishedExpiry)
    {
        public TokenMonitor Monitor { get; } = monitor;

        public DateTimeOffset StartedAt { get; } = startedAt;

        /// <summary>Expiry of the token a refresh replaces (null outside Running).</summary>
        public DateTimeOffset? PublishedExpiry { get; } = publishedExpiry;

        public TimeSpan? Planned { get; set; }
    }
}
