using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Hosting;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Controller;

/// <summary>
/// The controller proper, run while leading: informers for RemoteWorkloads and Secrets feed a
/// keyed work queue; workers reconcile; a periodic resync re-queues every workload. Secret reads
/// are served by the Secret informer's cache. Stopping it stops every monitor without a status write.
/// </summary>
public sealed partial class WorkloadController(
    IKubernetes client,
    OperatorOptions options,
    MonitorRegistry registry,
    TokenMonitorFactory monitorFactory,
    TimeProvider time,
    ILoggerFactory loggers)
{
    private static readonly TimeSpan ResyncPeriod = TimeSpan.FromMinutes(10);
    private readonly ILogger _logger = loggers.CreateLogger<WorkloadController>();
    private readonly TokenSecretRepairs _repairs = new(registry, loggers.CreateLogger<TokenSecretRepairs>());
    private readonly ConcurrentDictionary<string, string> _fingerprints = new(StringComparer.Ordinal);

    // The refresh-token key each workload referenced when last seen: a workload that moves to another key lets go of
    // the old one, and the workloads refused for it are looked at again at once.
    private readonly ConcurrentDictionary<string, SecretKeyReference> _refreshTokenKeys = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<ResourceWatcher<RemoteWorkload>> _workloadWatchers = [];
    private readonly SecretReferenceIndex _references = new();
    private volatile IReadOnlyList<ResourceWatcher<V1Secret>> _secretWatchers = [];
    private volatile WorkQueue<string>? _queue;
    private volatile WorkerPool? _workers;

    /// <summary>True once every informer has loaded its first list.</summary>
    public bool Synced => _workloadWatchers.Count > 0 && _workloadWatchers.All(w => w.Synced.IsCompleted) && _secretWatchers.All(w => w.Synced.IsCompleted);

    /// <summary>The oldest progress of any informer (for the stale-watch health check).</summary>
    public DateTimeOffset? OldestWatchProgress =>
        _workloadWatchers.Select(w => w.LastProgress).Concat(_secretWatchers.Select(w => w.LastProgress)).DefaultIfEmpty().Min() is var min && min != default ? min : null;

    public long WatchRestarts => _workloadWatchers.Sum(w => w.Restarts) + _secretWatchers.Sum(w => w.Restarts);

    public int QueueDepth => _queue?.Depth ?? 0;

    public long ReconcileErrors => _workers?.Errors ?? 0;

    /// <summary>Every cached workload (for the workloads-by-phase metric).</summary>
    public IEnumerable<RemoteWorkload> Workloads => _workloadWatchers.SelectMany(w => w.Items);

    /// <summary>Runs until <paramref name="cancellationToken"/> fires (the end of leadership or of the process); no
    /// refresh-token request is sent before <paramref name="refreshTokenFence"/>.</summary>
    public async Task RunAsync(CancellationToken cancellationToken, DateTimeOffset? refreshTokenFence = null)
    {
        registry.RefreshTokenFence = refreshTokenFence;
        using var queue = new WorkQueue<string>(time);
        _queue = queue;
        registry.Requeue = queue.Enqueue;
        _fingerprints.Clear();
        _refreshTokenKeys.Clear();
        var namespaces = options.WatchNamespaces.Count == 0 ? [null] : options.WatchNamespaces.Select(n => (string?)n).ToList();
        var watcherLogger = loggers.CreateLogger("RemoteWorkloadOperator.Watch");
        var workloadWatchers = namespaces
            .Select(ns => new ResourceWatcher<RemoteWorkload>($"remoteworkloads in {ns ?? "all namespaces"}", KubernetesSources.RemoteWorkloads(client, ns), (type, w) => OnWorkload(queue, type, w), time, watcherLogger, KeepWorkload))
            .ToList();
        _references.Clear();
        var secrets = new SecretCache(client, options.WatchNamespaces, _references, (type, s) => OnSecret(queue, type, s), time, watcherLogger);
        var secretWatchers = secrets.Watchers;
        _workloadWatchers = workloadWatchers;
        _secretWatchers = secretWatchers;

        var reconciler = new WorkloadReconciler(Lookup, () => Workloads, registry, client, secrets, options, monitorFactory, time, loggers.CreateLogger<WorkloadReconciler>());
        _workers = new WorkerPool(queue, (key, ct) => ReconcileAsync(reconciler, key, ct), new ErrorBackoff(new Random()), loggers.CreateLogger<WorkerPool>());

        var watching = workloadWatchers.Select(w => w.RunAsync(cancellationToken)).ToList();
        try
        {
            // Secrets are listed once the workloads are known, so the first list already keeps the data of exactly the
            // referenced Secrets (a Secret cached without its data costs a GET when it is read).
            await Task.WhenAll(workloadWatchers.Select(w => w.Synced)).WaitAsync(cancellationToken).ConfigureAwait(false);
            watching.AddRange(secretWatchers.Select(w => w.RunAsync(cancellationToken)));
            await Task.WhenAll(secretWatchers.Select(w => w.Synced)).WaitAsync(cancellationToken).ConfigureAwait(false);
            LogSynced(_logger, workloadWatchers.Sum(w => w.Items.Count));
            var resync = ResyncAsync(queue, () => SweepStateSecretsAsync(reconciler.Retention, secrets, cancellationToken), cancellationToken);
            await _workers.RunAsync(options.Workers, cancellationToken).ConfigureAwait(false);
            await resync.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll(watching).ConfigureAwait(false);
            registry.Requeue = null;
            await registry.StopAllAsync().ConfigureAwait(false);
            _workloadWatchers = [];
            _secretWatchers = [];
            _queue = null;
        }
    }

    private RemoteWorkload? Lookup(string key)
    {
        foreach (var watcher in _workloadWatchers)
        {
            if (watcher.Get(key) is { } workload)
            {
                return workload;
            }
        }

        return null;
    }

    private async Task<ReconcileResult> ReconcileAsync(WorkloadReconciler reconciler, string key, CancellationToken cancellationToken)
    {
        LogReconciling(_logger, key);
        var result = await reconciler.ReconcileAsync(key, cancellationToken).ConfigureAwait(false);
        await _repairs.RunAsync(key, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Queues a workload when something a reconcile looks at changed: spec (generation), the retry
    /// annotation, deletion, or identity. Our own status writes come back as watch events too; they
    /// are skipped here, so each status write does not cost a reconcile and its Secret reads.
    /// The periodic resync still visits every workload.
    /// </summary>
    private void OnWorkload(WorkQueue<string> queue, WatchEventType type, RemoteWorkload workload)
    {
        var key = ResourceWatcher<RemoteWorkload>.KeyOf(workload);
        if (type == WatchEventType.Deleted)
        {
            _references.Remove(key);
        }
        else
        {
            _references.Set(key, workload);
        }

        var annotations = workload.Metadata.Annotations;
        var retry = annotations is not null && annotations.TryGetValue(WorkloadAnnotations.RetryRequestedAt, out var value) ? value : null;
        var fingerprint = $"{workload.Metadata.Uid}|{workload.Metadata.Generation}|{workload.Metadata.DeletionTimestamp:O}|{retry}";
        if (type == WatchEventType.Deleted)
        {
            _fingerprints.TryRemove(key, out _);
            _refreshTokenKeys.TryRemove(key, out _);
            EnqueueSharers(queue, workload, workload.Spec?.OAuth?.RefreshTokenSecretRef);
        }
        else if (_fingerprints.TryGetValue(key, out var seen) && seen == fingerprint)
        {
            return;
        }
        else
        {
            _fingerprints[key] = fingerprint;

            // A workload that appeared or changed may now hold, or have let go of, a key another one was refused for.
            var reference = workload.Spec?.OAuth?.RefreshTokenSecretRef;
            if (_refreshTokenKeys.TryGetValue(key, out var previous) && (previous.Name != reference?.Name || previous.Key != reference?.Key))
            {
                EnqueueSharers(queue, workload, previous);
            }

            if (reference is null)
            {
                _refreshTokenKeys.TryRemove(key, out _);
            }
            else
            {
                _refreshTokenKeys[key] = reference;
            }

            EnqueueSharers(queue, workload, reference);
        }

        queue.Enqueue(key);
    }

    /// <summary>What the workload cache keeps of a received workload: all but its write history.</summary>
    private static RemoteWorkload KeepWorkload(RemoteWorkload workload)
    {
        CachedMetadata.DropWriteHistory(workload.Metadata);
        return workload;
    }

    private void OnSecret(WorkQueue<string> queue, WatchEventType type, V1Secret secret)
    {
        var ns = secret.Metadata.NamespaceProperty;
        if (ManagedSecrets.WorkloadOf(secret) is { } workloadName)
        {
            // One of our token Secrets changed or vanished: rewrite it from the cached token if needed.
            var key = $"{ns}/{workloadName}";
            if (_repairs.Observe(key, type, secret))
            {
                queue.Enqueue(key);
            }

            return;
        }

        // A user's Secret: wake exactly the workloads that reference it (always of its own namespace).
        foreach (var key in _references.WorkloadsReferencing(ns, secret.Metadata.Name))
        {
            queue.Enqueue(key);
        }
    }

    /// <summary>The other workloads on refresh-token key <paramref name="reference"/> of <paramref name="changed"/>'s namespace: the claim may have changed hands, look again.</summary>
    private void EnqueueSharers(WorkQueue<string> queue, RemoteWorkload changed, SecretKeyReference? reference)
    {
        if (reference is null)
        {
            return;
        }

        foreach (var workload in _workloadWatchers.SelectMany(w => w.Items))
        {
            if (workload.Metadata.NamespaceProperty == changed.Metadata.NamespaceProperty
                && workload.Metadata.Uid != changed.Metadata.Uid
                && workload.Spec?.OAuth?.RefreshTokenSecretRef is { } other && other.Name == reference.Name && other.Key == reference.Key)
            {
                queue.Enqueue(ResourceWatcher<RemoteWorkload>.KeyOf(workload));
            }
        }
    }

    private async Task ResyncAsync(WorkQueue<string> queue, Func<Task> sweep, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await sweep().ConfigureAwait(false);
            try
            {
                await Task.Delay(ResyncPeriod, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            foreach (var workload in _workloadWatchers.SelectMany(w => w.Items))
            {
                queue.Enqueue(ResourceWatcher<RemoteWorkload>.KeyOf(workload));
            }
        }
    }

    /// <summary>Marks and deletes state Secrets no workload claims (see <see cref="StateSecretRetention"/>); a failure waits for the next resync.</summary>
    private async Task SweepStateSecretsAsync(StateSecretRetention retention, SecretCache secrets, CancellationToken cancellationToken)
    {
        try
        {
            await retention.SweepAsync(secrets.Items, key => Lookup(key) is not null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogSweepFailed(_logger, KubernetesErrors.Describe(e));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "sweeping unclaimed state Secrets failed, trying again at the next resync: {Error}")]
    private static partial void LogSweepFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "reconciling {Key}")]
    private static partial void LogReconciling(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "caches synced: {Count} workloads")]
    private static partial void LogSynced(ILogger logger, int count);
}
