using System.Collections.Concurrent;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// A process-wide limit on requests per second to each IdP host (token requests, and the discovery GETs that precede
/// them): per host a fixed one-second window of <c>requestsPerSecond</c> permits, all windows opened together by one
/// timer of the injected <see cref="TimeProvider"/>. A request over the limit waits in the host's queue, oldest first,
/// until a window has room; the wait is reported to <see cref="Waited"/> (the operator exports it as a metric) and
/// counts against the request's own timeout. Shared by the named client and every mutual-TLS client, so one host sees
/// one budget however the operator reaches it.
/// </summary>
/// <remarks>
/// Not <c>System.Threading.RateLimiting</c>'s window limiters: with manual replenishment they still measure the window
/// on <c>Stopwatch</c>, so a window opened by the injected clock would be ignored; this is the same rule on the clock
/// the rest of the engine uses, in a few lines.
/// </remarks>
public sealed class IdpRateLimiter : IDisposable
{
    /// <summary>The default: 50 requests per second per host, far above what one IdP needs in steady state and far
    /// below what a fleet resuming at once would send.</summary>
    public const int DefaultRequestsPerSecond = 50;

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, HostWindow> _byHost = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _perSecond;
    private readonly TimeProvider _time;
    private readonly ITimer _windows;

    /// <summary>Creates the limiter: <paramref name="requestsPerSecond"/> per host (at least 1), windows on <paramref name="time"/>.</summary>
    public IdpRateLimiter(int requestsPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requestsPerSecond, 1);
        ArgumentNullException.ThrowIfNull(time);
        _perSecond = requestsPerSecond;
        _time = time;
        _windows = time.CreateTimer(static s => ((IdpRateLimiter)s!).OpenWindows(), this, Window, Window);
    }

    /// <summary>Called with the host and how long a request waited for room (only when it waited at all).</summary>
    public Action<string, TimeSpan>? Waited { get; set; }

    /// <summary>Hosts with a window now (tests and diagnostics): a host idle for a whole window is forgotten.</summary>
    public int Hosts => _byHost.Count;

    /// <summary>Requests of <paramref name="host"/> waiting for room now (tests and diagnostics).</summary>
    public int Queued(string host) => _byHost.TryGetValue(host, out var window) ? window.Queued : 0;

    /// <summary>Waits until <paramref name="host"/> has room for one more request in the current window.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public async ValueTask AcquireAsync(string host, CancellationToken cancellationToken)
    {
        var window = _byHost.GetOrAdd(host, _ => new HostWindow(_perSecond));
        if (window.TryTake(out var turn))
        {
            return;
        }

        var started = _time.GetTimestamp();
        using (cancellationToken.Register(static t => ((TaskCompletionSource)t!).TrySetCanceled(), turn))
        {
            await turn!.Task.ConfigureAwait(false);
        }

        Waited?.Invoke(host, _time.GetElapsedTime(started));
    }

    /// <inheritdoc />
    public void Dispose() => _windows.Dispose();

    private void OpenWindows()
    {
        foreach (var entry in _byHost)
        {
            // Hosts come from workload specs (tenants choose them): a host that used none of a whole window is
            // forgotten, so the map holds only hosts in use. A request that found the window just before it was
            // removed still takes its permit from it; at worst that host gets one extra window's allowance once.
            if (entry.Value.Open())
            {
                _byHost.TryRemove(entry);
            }
        }
    }

    /// <summary>One host's window: permits left, and the requests waiting for the next one, oldest first.</summary>
    private sealed class HostWindow
    {
        private readonly Lock _gate = new();
        private readonly Queue<TaskCompletionSource> _waiting = new();
        private readonly int _perWindow;
        private int _left;

        public HostWindow(int perWindow)
        {
            _perWindow = perWindow;
            _left = perWindow;
        }

        public int Queued
        {
            get
            {
                lock (_gate)
                {
                    return _waiting.Count(w => !w.Task.IsCompleted);
                }
            }
        }

        /// <summary>Takes a permit now, or enqueues and hands out the turn to wait for.</summary>
        public bool TryTake(out TaskCompletionSource? turn)
        {
            lock (_gate)
            {
                if (_left > 0 && _waiting.Count == 0)
                {
                    _left--;
                    turn = null;
                    return true;
                }

                turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Enqueue(turn);
                return false;
            }
        }

        /// <summary>
        /// A new window: the full allowance, handed to waiting requests first (a cancelled one takes none). True when
        /// the window just ended was idle: no permit taken and nobody waiting.
        /// </summary>
        public bool Open()
        {
            lock (_gate)
            {
                var idle = _left == _perWindow && _waiting.All(w => w.Task.IsCompleted);
                _left = _perWindow;
                while (_left > 0 && _waiting.TryDequeue(out var next))
                {
                    if (next.TrySetResult())
                    {
                        _left--;
                    }
                }

                return idle;
            }
        }
    }
}
