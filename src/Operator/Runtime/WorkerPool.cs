using Microsoft.Extensions.Logging;

namespace RemoteWorkloadOperator.Runtime;

/// <summary>
/// Runs a bounded number of workers over a <see cref="WorkQueue{TKey}"/>. Every outcome of a
/// reconcile reschedules correctly: an exception is logged and retried with backoff (never
/// dropped), a requested delay is honoured, and cancellation ends the workers quietly.
/// </summary>
public sealed partial class WorkerPool(
    WorkQueue<string> queue,
    Func<string, CancellationToken, Task<ReconcileResult>> reconcile,
    ErrorBackoff backoff,
    ILogger logger)
{
    /// <summary>Reconciles that threw (for the reconcile-errors metric).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    private long _errors;

    /// <summary>Runs <paramref name="workers"/> workers until <paramref name="cancellationToken"/> fires.</summary>
    public Task RunAsync(int workers, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)));

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string key;
            try
            {
                key = await queue.DequeueAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
            {
                return;
            }

            var slash = key.IndexOf('/', StringComparison.Ordinal);
            using var scope = Observability.WorkloadLogScope.Begin(logger, new Observability.WorkloadLogScope(key[..Math.Max(slash, 0)], key[(slash + 1)..]));
            try
            {
                var result = await reconcile(key, cancellationToken).ConfigureAwait(false);
                backoff.Reset(key);
                if (result.RequeueAfter is { } delay)
                {
                    queue.EnqueueAfter(key, delay);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A worker must survive any reconcile failure; the key is retried.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _errors);
                var delay = backoff.NextDelay(key);
                LogReconcileFailed(logger, key, delay, KubernetesErrors.Describe(e));
                queue.EnqueueAfter(key, delay);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }

    // The error is described, never logged whole: a Kubernetes client exception carries a request body that can hold a token.
    [LoggerMessage(Level = LogLevel.Warning, Message = "reconcile of {Key} failed ({Error}); retrying in {Delay}")]
    private static partial void LogReconcileFailed(ILogger logger, string key, TimeSpan delay, string error);
}
