using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Storage;

/// <summary>
/// In-memory object storage keyed by (resource bucket, namespace, name), with one global,
/// monotonically increasing revision (like etcd's) and a bounded history that watches replay.
/// Callers that read-modify-write hold <see cref="Gate"/> around the whole sequence.
/// </summary>
public sealed class ObjectStore
{
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _buckets = [];
    private readonly List<StoredEvent> _history = [];
    private readonly List<WatchSubscription> _watches = [];

    // Indexes for garbage collection, kept in step with every Put/Remove so that finding an object by
    // uid or the dependents of an owner costs the size of the answer, not a copy of the whole store.
    private readonly Dictionary<string, (string StorageKey, string Key)> _byUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<(string StorageKey, string Key)>> _dependentsByOwnerUid = new(StringComparer.Ordinal);
    private readonly int _historyLimit;
    private long _revision;
    private long _compactedThrough;

    public ObjectStore(int historyLimit = 10_000, long firstRevision = 1000)
    {
        _historyLimit = historyLimit;
        _revision = firstRevision;
        _compactedThrough = firstRevision;
    }

    /// <summary>The lock that serialises every write (and read-modify-write) on the store.</summary>
    public Lock Gate { get; } = new();

    public long Revision
    {
        get
        {
            lock (Gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>Revisions at or below this one are no longer in history: watching from them answers 410 Expired.</summary>
    public long CompactedRevision
    {
        get
        {
            lock (Gate)
            {
                return _compactedThrough;
            }
        }
    }

    private static string Key(string ns, string name) => ns + "/" + name;

    public JsonObject? Get(string storageKey, string ns, string name)
    {
        lock (Gate)
        {
            return _buckets.TryGetValue(storageKey, out var bucket) && bucket.TryGetValue(Key(ns, name), out var obj)
                ? obj.DeepClone().AsObject()
                : null;
        }
    }

    /// <summary>Objects of a bucket (optionally one namespace), ordered by namespace then name, with the current revision.</summary>
    public (List<JsonObject> Items, long Revision) List(string storageKey, string? ns)
    {
        lock (Gate)
        {
            var items = new List<JsonObject>();
            if (_buckets.TryGetValue(storageKey, out var bucket))
            {
                foreach (var (key, obj) in bucket)
                {
                    if (ns is null || key.StartsWith(ns + "/", StringComparison.Ordinal))
                    {
                        items.Add(obj.DeepClone().AsObject());
                    }
                }
            }

            return (items, _revision);
        }
    }

    /// <summary>Every stored object in every bucket (for garbage collection and namespace cleanup).</summary>
    public List<(string StorageKey, JsonObject Object)> All()
    {
        lock (Gate)
        {
            return _buckets.SelectMany(b => b.Value.Values.Select(o => (b.Key, o.DeepClone().AsObject()))).ToList();
        }
    }

    /// <summary>Whether an object with this uid is stored.</summary>
    public bool ContainsUid(string uid)
    {
        lock (Gate)
        {
            return _byUid.ContainsKey(uid);
        }
    }

    /// <summary>Copies of the objects whose ownerReferences name <paramref name="ownerUid"/>.</summary>
    public List<(string StorageKey, JsonObject Object)> DependentsOf(string ownerUid)
    {
        lock (Gate)
        {
            if (!_dependentsByOwnerUid.TryGetValue(ownerUid, out var dependents))
            {
                return [];
            }

            return dependents.Select(d => (d.StorageKey, _buckets[d.StorageKey][d.Key].DeepClone().AsObject())).ToList();
        }
    }

    /// <summary>Stores an object at a new revision and publishes the event; returns a copy of what was stored.</summary>
    public JsonObject Put(string storageKey, string ns, string name, JsonObject obj)
    {
        lock (Gate)
        {
            var bucket = Bucket(storageKey);
            bucket.TryGetValue(Key(ns, name), out var previous);
            var revision = ++_revision;
            var stored = JsonNode.Parse(obj.ToJsonString())!.AsObject();
            Metadata(stored)["resourceVersion"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
            bucket[Key(ns, name)] = stored;
            Unindex(storageKey, Key(ns, name), previous);
            Index(storageKey, Key(ns, name), stored);
            Publish(new StoredEvent(revision, previous is null ? "ADDED" : "MODIFIED", storageKey, ns, stored, previous));
            return stored.DeepClone().AsObject();
        }
    }

    /// <summary>Removes an object at a new revision and publishes DELETED; returns the final state.</summary>
    public JsonObject? Remove(string storageKey, string ns, string name)
    {
        lock (Gate)
        {
            var bucket = Bucket(storageKey);
            if (!bucket.Remove(Key(ns, name), out var previous))
            {
                return null;
            }

            Unindex(storageKey, Key(ns, name), previous);
            var revision = ++_revision;
            var final = previous.DeepClone().AsObject();
            Metadata(final)["resourceVersion"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Publish(new StoredEvent(revision, "DELETED", storageKey, ns, final, previous));
            return final.DeepClone().AsObject();
        }
    }

    /// <summary>
    /// Opens a watch. <paramref name="fromRevision"/> null: live events only (the caller sends the
    /// initial state itself). Otherwise history after that revision is replayed first; a revision
    /// older than the compacted one throws 410 Expired like etcd's "too old resource version".
    /// </summary>
    public WatchSubscription Subscribe(string storageKey, string? ns, long? fromRevision)
    {
        lock (Gate)
        {
            var replay = new List<StoredEvent>();
            if (fromRevision is { } from)
            {
                if (from < _compactedThrough)
                {
                    throw Api.Status.Expired($"too old resource version: {from} ({_compactedThrough})");
                }

                replay.AddRange(_history.Where(e => e.ResourceVersion > from && e.StorageKey == storageKey && (ns is null || e.Namespace == ns)));
            }

            var subscription = new WatchSubscription(storageKey, ns, replay, _revision, Unsubscribe);
            _watches.Add(subscription);
            return subscription;
        }
    }

    /// <summary>Forgets all history: every watch resuming from an older revision gets 410 Expired.</summary>
    public void Compact()
    {
        lock (Gate)
        {
            _history.Clear();
            _compactedThrough = ++_revision;
        }
    }

    /// <summary>Ends every open watch stream (clients see the connection end and must re-watch).</summary>
    public void DropWatches(bool abortConnections = false)
    {
        List<WatchSubscription> watches;
        lock (Gate)
        {
            watches = [.. _watches];
        }

        foreach (var watch in watches)
        {
            watch.Drop(abortConnections);
        }
    }

    public int OpenWatchCount
    {
        get
        {
            lock (Gate)
            {
                return _watches.Count;
            }
        }
    }

    private void Unsubscribe(WatchSubscription subscription)
    {
        lock (Gate)
        {
            _watches.Remove(subscription);
        }
    }

    private void Publish(StoredEvent e)
    {
        _history.Add(e);
        if (_history.Count > _historyLimit)
        {
            var drop = _history.Count - _historyLimit;
            _compactedThrough = _history[drop - 1].ResourceVersion;
            _history.RemoveRange(0, drop);
        }

        foreach (var watch in _watches)
        {
            if (watch.Matches(e))
            {
                watch.Events.Writer.TryWrite(e);
            }
        }
    }

    private void Index(string storageKey, string key, JsonObject obj)
    {
        if (obj["metadata"]?["uid"] is JsonValue uid && uid.TryGetValue<string>(out var u))
        {
            _byUid[u] = (storageKey, key);
        }

        foreach (var owner in OwnerUids(obj))
        {
            if (!_dependentsByOwnerUid.TryGetValue(owner, out var set))
            {
                set = [];
                _dependentsByOwnerUid[owner] = set;
            }

            set.Add((storageKey, key));
        }
    }

    private void Unindex(string storageKey, string key, JsonObject? obj)
    {
        if (obj is null)
        {
            return;
        }

        if (obj["metadata"]?["uid"] is JsonValue uid && uid.TryGetValue<string>(out var u))
        {
            _byUid.Remove(u);
        }

        foreach (var owner in OwnerUids(obj))
        {
            if (_dependentsByOwnerUid.TryGetValue(owner, out var set) && set.Remove((storageKey, key)) && set.Count == 0)
            {
                _dependentsByOwnerUid.Remove(owner);
            }
        }
    }

    private static IEnumerable<string> OwnerUids(JsonObject obj) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray ?? [])
            .Select(r => r?["uid"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);

    private SortedDictionary<string, JsonObject> Bucket(string storageKey)
    {
        if (!_buckets.TryGetValue(storageKey, out var bucket))
        {
            bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _buckets[storageKey] = bucket;
        }

        return bucket;
    }

    private static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            obj["metadata"] = metadata;
        }

        return metadata;
    }
}
