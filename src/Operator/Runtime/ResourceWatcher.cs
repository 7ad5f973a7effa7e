using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace RemoteWorkloadOperator.Runtime;

/// <summary>
/// A small informer: lists, then watches from the list's resourceVersion with bookmarks, keeps a
/// cache of the objects, and hands every change to a callback. It relists on 410 Gone (history
/// compacted), resumes from the last seen resourceVersion after a dropped connection, and backs
/// off with jitter after errors so a sick API server is not hammered. It never stops on its own
/// before cancellation; <see cref="LastProgress"/> lets the health check report a stale watch.
/// </summary>
/// <typeparam name="T">The watched kind.</typeparam>
public sealed partial class ResourceWatcher<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly string _name;
    private readonly ResourceSource<T> _source;
    private readonly Action<WatchEventType, T> _onChange;
    private readonly Func<T, T> _transform;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, T> _cache = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastProgressTicks;
    private long _restarts;

    /// <param name="name">For logs.</param>
    /// <param name="source">The list and watch calls.</param>
    /// <param name="onChange">Called after the cache holds the change.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">For watch failures.</param>
    /// <param name="transform">What the cache keeps of a received object (drop fields nobody reads, to keep memory small).</param>
    public ResourceWatcher(string name, ResourceSource<T> source, Action<WatchEventType, T> onChange, TimeProvider time, ILogger logger, Func<T, T>? transform = null)
    {
        _name = name;
        _source = source;
        _onChange = onChange;
        _transform = transform ?? (item => item);
        _time = time;
        _logger = logger;
        _lastProgressTicks = time.GetUtcNow().UtcTicks;
    }

    /// <summary>Completes once the first list has been loaded into the cache.</summary>
    public Task Synced => _synced.Task;

    /// <summary>When the watch last made progress (a list, an event, a bookmark or a clean timeout).</summary>
    public DateTimeOffset LastProgress => new(Interlocked.Read(ref _lastProgressTicks), TimeSpan.Zero);

    /// <summary>How many times the watch was re-established after an error or expiry.</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    /// <summary>The cache key of an object: <c>namespace/name</c>.</summary>
    public static string KeyOf(T item) => $"{item.Metadata.NamespaceProperty}/{item.Metadata.Name}";

    /// <summary>The cached object for <paramref name="key"/>, if any.</summary>
    public T? Get(string key) => _cache.TryGetValue(key, out var item) ? item : null;

    /// <summary>
    /// Puts an object the caller just wrote (the API server's answer) into the cache, unless the cache already holds a
    /// newer version, so that reads after a write never see the version before it. No callback: the watch event of
    /// the write still comes and is handled as usual.
    /// </summary>
    public void Upsert(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var stored = _transform(item);
        _cache.AddOrUpdate(KeyOf(stored), stored, (_, current) => IsNewer(stored, current) ? stored : current);
    }

    /// <summary>
    /// Every Kubernetes resourceVersion is an etcd revision (and the emulator's a counter), so comparing them as numbers
    /// is sound there; anything else is taken as newer, as a watch event would be.
    /// </summary>
    private static bool IsNewer(T candidate, T current) =>
        !long.TryParse(candidate.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture, out var a)
        || !long.TryParse(current.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture, out var b)
        || a >= b;

    /// <summary>Every cached object.</summary>
    public IReadOnlyCollection<T> Items => (IReadOnlyCollection<T>)_cache.Values;

    /// <summary>Runs until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string? resourceVersion = null;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                resourceVersion ??= await RelistAsync(cancellationToken).ConfigureAwait(false);
                var outcome = await WatchOnceAsync(resourceVersion, cancellationToken).ConfigureAwait(false);
                resourceVersion = outcome.ResourceVersion;
                failures = 0;
                if (outcome.Expired)
                {
                    Interlocked.Increment(ref _restarts);
                    LogExpired(_logger, _name);
                    resourceVersion = null;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
            {
                Interlocked.Increment(ref _restarts);
                LogExpired(_logger, _name);
                resourceVersion = null;
            }
#pragma warning disable CA1031 // The watch must outlive any failure; it backs off and resumes.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _restarts);
                failures++;
                var delay = ReconnectDelay(failures);
                LogWatchFailed(_logger, _name, delay, KubernetesErrors.Describe(e));
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<string> RelistAsync(CancellationToken cancellationToken)
    {
        var (items, resourceVersion) = await _source.List(cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var received in items)
        {
            var item = _transform(received);
            var key = KeyOf(item);
            seen.Add(key);
            var existed = _cache.TryGetValue(key, out var previous);
            _cache[key] = item;
            if (!existed || previous!.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
            {
                _onChange(existed ? WatchEventType.Modified : WatchEventType.Added, item);
            }
        }

        // Objects deleted while we were not watching: report them as deleted.
        foreach (var (key, item) in _cache)
        {
            if (!seen.Contains(key) && _cache.TryRemove(key, out _))
            {
                _onChange(WatchEventType.Deleted, item);
            }
        }

        MarkProgress();
        _synced.TrySetResult();
        return resourceVersion;
    }

    private async Task<WatchOutcome> WatchOnceAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        var expired = false;
        Exception? streamError = null;
        using var watchCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var events = _source.Watch(resourceVersion, error =>
        {
            if (error is KubernetesException { Status.Code: (int)HttpStatusCode.Gone })
            {
                expired = true;
            }
            else
            {
                streamError ??= error;
            }

            // A Status event ends the stream's usefulness: stop reading and start again.
            watchCancellation.Cancel();
        }, watchCancellation.Token);

        try
        {
            await foreach (var (type, received) in events.ConfigureAwait(false))
            {
                if (received?.Metadata is null)
                {
                    continue;
                }

                var item = type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted ? _transform(received) : received;

                resourceVersion = item.Metadata.ResourceVersion ?? resourceVersion;
                MarkProgress();
                var key = KeyOf(item);
                switch (type)
                {
                    case WatchEventType.Added or WatchEventType.Modified:
                        _cache[key] = item;
                        _onChange(type, item);
                        break;
                    case WatchEventType.Deleted:
                        _cache.TryRemove(key, out _);
                        _onChange(type, item);
                        break;
                    default:
                        // Bookmarks only move the resourceVersion forward.
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Cancelled by a Status event above.
        }

        if (streamError is not null && !expired)
        {
            throw new InvalidOperationException($"watch of {_name} reported an error", streamError);
        }

        // The server closed a healthy watch (timeoutSeconds): resume from where we are.
        MarkProgress();
        return new WatchOutcome(resourceVersion, expired);
    }

#pragma warning disable CA5394 // Jitter, not security.
    private static TimeSpan ReconnectDelay(int failures) => Backoff.Delay(failures, MinBackoff, MaxBackoff, jitter: 0.5, Random.Shared.NextDouble());
#pragma warning restore CA5394

    private void MarkProgress() => Interlocked.Exchange(ref _lastProgressTicks, _time.GetUtcNow().UtcTicks);

    private readonly record struct WatchOutcome(string ResourceVersion, bool Expired);

    [LoggerMessage(Level = LogLevel.Information, Message = "watch of {Name} expired (410 Gone); relisting")]
    private static partial void LogExpired(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "watch of {Name} failed ({Error}); retrying in {Delay}")]
    private static partial void LogWatchFailed(ILogger logger, string name, TimeSpan delay, string error);
}
