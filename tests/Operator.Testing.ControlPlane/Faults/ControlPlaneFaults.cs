using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using RemoteWorkloadOperator.Testing.ControlPlane.Storage;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Faults;

/// <summary>
/// Fault injection for tests. Every fault applies to requests that arrive after it is set;
/// <see cref="Reset"/> clears them all.
/// </summary>
public sealed class ControlPlaneFaults
{
    private readonly Lock _gate = new();
    private readonly List<RequestFault> _faults = [];
    private readonly ObjectStore _store;
    private readonly ConcurrentDictionary<string, ConnectionContext> _connections = new(StringComparer.Ordinal);
    private TimeSpan _delay;
    private Func<string, bool>? _delayFilter;
    private DateTimeOffset _refuseUntil = DateTimeOffset.MinValue;

    internal ControlPlaneFaults(ObjectStore store) => _store = store;

    /// <summary>
    /// The next <paramref name="count"/> writes (create, update, patch, delete; status included) to
    /// <paramref name="resource"/> (plural, e.g. <c>remoteworkloads</c> or <c>remoteworkloads/status</c>,
    /// optionally in one namespace) fail with <paramref name="statusCode"/>, answered in the shape a real
    /// server uses for it: 429 TooManyRequests with Retry-After, 403 Forbidden (admission), 422 Invalid,
    /// 504 Timeout, 503 ServiceUnavailable, 409 Conflict, anything else InternalError.
    /// A real server answers 409 only to requests carrying a resourceVersion: inject it only there.
    /// </summary>
    public void FailNextWrites(string resource, int count, int statusCode = 500, string? ns = null) =>
        Add(new RequestFault(resource, ns, statusCode, Reads: false) { Remaining = count });

    /// <summary>
    /// The next <paramref name="count"/> reads (get, list, watch) of <paramref name="resource"/> fail with
    /// <paramref name="statusCode"/> (typically 504 Timeout or 429), shaped as for <see cref="FailNextWrites"/>.
    /// A failed watch fails before its stream starts, as the real server's filters do.
    /// </summary>
    public void FailNextReads(string resource, int count, int statusCode = 504, string? ns = null) =>
        Add(new RequestFault(resource, ns, statusCode, Reads: true) { Remaining = count });

    private void Add(RequestFault fault)
    {
        lock (_gate)
        {
            _faults.Add(fault);
        }
    }

    /// <summary>
    /// Ends every open watch stream now: cleanly (the chunked response ends, as on a server-side
    /// timeout) or, with <paramref name="abortConnections"/>, by resetting the TCP connection
    /// (the client sees an I/O error mid-stream). Either way the client must re-watch.
    /// </summary>
    public void DropWatches(bool abortConnections = false) => _store.DropWatches(abortConnections);

    /// <summary>Compacts history: resuming a watch from any earlier resourceVersion yields 410 Expired.</summary>
    public void CompactHistory() => _store.Compact();

    /// <summary>Delays every response (optionally only paths the filter accepts) by <paramref name="delay"/>.</summary>
    public void DelayResponses(TimeSpan delay, Func<string, bool>? pathFilter = null)
    {
        lock (_gate)
        {
            _delay = delay;
            _delayFilter = pathFilter;
        }
    }

    /// <summary>Closes every new connection immediately (a reset) for <paramref name="duration"/>; existing ones keep working until they end.</summary>
    public void RefuseConnections(TimeSpan duration)
    {
        lock (_gate)
        {
            _refuseUntil = DateTimeOffset.UtcNow + duration;
        }
    }

    /// <summary>
    /// Resets every open TCP connection now (as a load balancer, a NAT timeout or an apiserver restart
    /// does). Over HTTP/2 that fails every request multiplexed on the connection together, watches and
    /// Lease renewals alike; clients must reconnect. Returns how many connections were reset.
    /// </summary>
    public int ResetConnections()
    {
        var open = _connections.Values.ToList();
        foreach (var connection in open)
        {
            connection.Abort(new ConnectionAbortedException("connection reset by fault injection"));
        }

        return open.Count;
    }

    /// <summary>Open TCP connections (HTTP/2 multiplexes many requests on one).</summary>
    public int OpenConnectionCount => _connections.Count;

    /// <summary>Connection middleware: refuses new connections while asked to, and tracks the rest for <see cref="ResetConnections"/>.</summary>
    internal async Task ServeConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (RefusingConnections)
        {
            connection.Abort();
            return;
        }

        _connections[connection.ConnectionId] = connection;
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection.ConnectionId, out _);
        }
    }

    /// <summary>Clears every fault.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _faults.Clear();
            _delay = TimeSpan.Zero;
            _delayFilter = null;
            _refuseUntil = DateTimeOffset.MinValue;
        }
    }

    internal bool RefusingConnections
    {
        get
        {
            lock (_gate)
            {
                return DateTimeOffset.UtcNow < _refuseUntil;
            }
        }
    }

    internal TimeSpan DelayFor(string path)
    {
        lock (_gate)
        {
            return _delayFilter is null || _delayFilter(path) ? _delay : TimeSpan.Zero;
        }
    }

    /// <summary>Consumes one matching fault for a request of the given verb, returning its status code.</summary>
    internal int? TakeFault(string verb, string resource, string? subresource, string? ns)
    {
        var reads = verb is "get" or "list" or "watch";
        lock (_gate)
        {
            var full = subresource is null ? resource : $"{resource}/{subresource}";
            var fault = _faults.FirstOrDefault(f => f.Remaining > 0 && f.Reads == reads && (f.Resource == full || f.Resource == resource) && (f.Namespace is null || f.Namespace == ns));
            if (fault is null)
            {
                return null;
            }

            fault.Remaining--;
            return fault.StatusCode;
        }
    }

    private sealed record RequestFault(string Resource, string? Namespace, int StatusCode, bool Reads)
    {
        public int Remaining { get; set; }
    }
}
