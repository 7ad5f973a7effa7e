namespace RemoteWorkloadOperator.Testing.ControlPlane.Http;

/// <summary>One request the emulator served: its method, path, whether it asked for a watch, and its answer.</summary>
/// <param name="Method">The HTTP method (GET, POST, PUT, PATCH, DELETE).</param>
/// <param name="Path">The request path without the query string.</param>
/// <param name="Watch">The request carries <c>watch=true</c> (or <c>watch=1</c>).</param>
/// <param name="StatusCode">The response's status code; 0 for a watch (observed when it starts, before any answer).</param>
public sealed record ObservedRequest(string Method, string Path, bool Watch, int StatusCode);

/// <summary>
/// Callbacks told of every request the emulator serves, so that benchmarks and tests can count requests by method and
/// path without an HTTP proxy. A callback runs on the request's thread: it must be quick and must not throw.
/// </summary>
public sealed class RequestObservers
{
    private volatile Action<ObservedRequest>[] _observers = [];
    private readonly Lock _gate = new();

    /// <summary>Calls <paramref name="observer"/> for every request from now until the returned handle is disposed.</summary>
    public IDisposable Subscribe(Action<ObservedRequest> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_gate)
        {
            _observers = [.. _observers, observer];
        }

        return new Subscription(this, observer);
    }

    internal bool Any => _observers.Length > 0;

    internal void Notify(ObservedRequest request)
    {
        foreach (var observer in _observers)
        {
            observer(request);
        }
    }

    private void Remove(Action<ObservedRequest> observer)
    {
        lock (_gate)
        {
            _observers = [.. _observers.Where(o => o != observer)];
        }
    }

    private sealed class Subscription(RequestObservers owner, Action<ObservedRequest> observer) : IDisposable
    {
        public void Dispose() => owner.Remove(observer);
    }
}
