using System.Threading.Channels;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Storage;

/// <summary>A live feed of store events for one resource bucket, closed on dispose or when watches are dropped.</summary>
public sealed class WatchSubscription : IDisposable
{
    private readonly Action<WatchSubscription> _onDispose;
    private readonly CancellationTokenSource _dropped = new();

    internal WatchSubscription(string storageKey, string? ns, IReadOnlyList<StoredEvent> replay, long startRevision, Action<WatchSubscription> onDispose)
    {
        StorageKey = storageKey;
        Namespace = ns;
        Replay = replay;
        StartRevision = startRevision;
        _onDispose = onDispose;
    }

    public string StorageKey { get; }

    public string? Namespace { get; }

    /// <summary>History events after the requested revision, delivered before live ones.</summary>
    public IReadOnlyList<StoredEvent> Replay { get; }

    /// <summary>The store revision when the subscription was opened.</summary>
    public long StartRevision { get; }

    public Channel<StoredEvent> Events { get; } = Channel.CreateUnbounded<StoredEvent>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Cancelled when the server drops the watch (fault injection or shutdown).</summary>
    public CancellationToken Dropped => _dropped.Token;

    internal bool Matches(StoredEvent e) => e.StorageKey == StorageKey && (Namespace is null || Namespace == e.Namespace);

    /// <summary>True when the drop should reset the connection instead of ending the response cleanly.</summary>
    public bool AbortConnection { get; private set; }

    internal void Drop(bool abortConnection = false)
    {
        AbortConnection = abortConnection;
        try
        {
            _dropped.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        Events.Writer.TryComplete();
    }

    public void Dispose()
    {
        _onDispose(this);
        _dropped.Dispose();
    }
}
