using System.Threading.Channels;

namespace RemoteWorkloadOperator.Runtime;

/// <summary>
/// A keyed work queue in the spirit of client-go's: a key waits at most once, a key is never
/// handled by two workers at once (an enqueue during handling re-queues it afterwards), and a
/// delayed schedule is replaced by a newer one ("latest schedule wins"), while an immediate
/// enqueue always beats a pending delay. Delays are timers from the injected
/// <see cref="TimeProvider"/>, so tests drive them with a fake clock.
/// </summary>
public sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Channel<TKey> _ready = Channel.CreateUnbounded<TKey>(new UnboundedChannelOptions { SingleReader = false });
    private readonly HashSet<TKey> _queued = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly HashSet<TKey> _dirty = [];
    private readonly Dictionary<TKey, ITimer> _delayed = [];
    private bool _disposed;

    public WorkQueue(TimeProvider time) => _time = time;

    /// <summary>Keys waiting to be handled, including delayed ones (for the queue-depth metric).</summary>
    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _queued.Count + _delayed.Count;
            }
        }
    }

    /// <summary>Makes <paramref name="key"/> ready now, cancelling any pending delayed schedule.</summary>
    public void Enqueue(TKey key)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (_delayed.Remove(key, out var timer))
            {
                timer.Dispose();
            }

            if (_processing.Contains(key))
            {
                _dirty.Add(key);
                return;
            }

            if (_queued.Add(key))
            {
                _ready.Writer.TryWrite(key);
            }
        }
    }

    /// <summary>Schedules <paramref name="key"/> after <paramref name="delay"/>, replacing any earlier delayed schedule.</summary>
    public void EnqueueAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Enqueue(key);
            return;
        }

        lock (_gate)
        {
            if (_disposed || _queued.Contains(key))
            {
                return;
            }

            if (_delayed.Remove(key, out var previous))
            {
                previous.Dispose();
            }

            ITimer? timer = null;
            timer = _time.CreateTimer(
                _ =>
                {
                    lock (_gate)
                    {
                        // Only the timer that is still current may fire the key.
                        if (!_delayed.TryGetValue(key, out var current) || !ReferenceEquals(current, timer))
                        {
                            return;
                        }

                        _delayed.Remove(key);
                    }

                    Enqueue(key);
                },
                null,
                delay,
                Timeout.InfiniteTimeSpan);
            _delayed[key] = timer;
        }
    }

    /// <summary>Waits for the next ready key and marks it as being handled.</summary>
    public async ValueTask<TKey> DequeueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var key = await _ready.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_queued.Remove(key))
                {
                    _processing.Add(key);
                    return key;
                }
            }
        }
    }

    /// <summary>Marks handling of <paramref name="key"/> finished; re-queues it if it changed meanwhile.</summary>
    public void Done(TKey key)
    {
        lock (_gate)
        {
            _processing.Remove(key);
            if (_dirty.Remove(key) && !_disposed && _queued.Add(key))
            {
                _ready.Writer.TryWrite(key);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var timer in _delayed.Values)
            {
                timer.Dispose();
            }

            _delayed.Clear();
            _ready.Writer.TryComplete();
        }
    }
}
