using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RemoteWorkloadOperator.Testing.ControlPlane;
using RemoteWorkloadOperator.Testing.ControlPlane.Http;
using RemoteWorkloadOperator.Testing.ControlPlane.Storage;

namespace RemoteWorkloadOperator.Scale;

/// <summary>
/// Reads the emulator's store events in process (no HTTP, no polling): every workload change and every core Event,
/// so status writes, phase transitions, create→Running times and Events are counted exactly as stored.
/// API requests are counted from the emulator's request observers (method and path of every request), by kind and by verb.
/// </summary>
internal sealed class StoreRecorder : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Track> _workloads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _transitions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _eventsByReason = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _requestsByVerb = new(StringComparer.Ordinal);
    private readonly IDisposable _requestFeed;
    private readonly WatchSubscription _workloadFeed;
    private readonly WatchSubscription _eventFeed;
    private readonly Task _workloadReader;
    private readonly Task _eventReader;
    private long _totalRequests;

    public StoreRecorder(LocalControlPlane controlPlane)
    {
        _workloadFeed = controlPlane.Store.Subscribe("workloads.dev/remoteworkloads", null, null);
        _eventFeed = controlPlane.Store.Subscribe("/events", null, null);
        _workloadReader = Task.Run(ReadWorkloadsAsync);
        _eventReader = Task.Run(ReadEventsAsync);
        _requestFeed = controlPlane.Requests.Subscribe(request =>
        {
            Interlocked.Increment(ref _totalRequests);
            var kind = Classify(request.Path);
            _requests.AddOrUpdate(kind, 1, (_, n) => n + 1);
            var failed = request.StatusCode >= 400 ? $" {request.StatusCode}" : "";
            _requestsByVerb.AddOrUpdate($"{kind} {Verb(request)}{failed}", 1, (_, n) => n + 1);
        });
    }

    public sealed class Track
    {
        public string? Phase { get; set; }

        public DateTimeOffset? FirstRunning { get; set; }

        public int StatusWrites { get; set; }

        public int Transitions { get; set; }

        public string? Deadline { get; set; }
    }

    public sealed record Counters(long StatusWrites, long Transitions, long EventsCreated, long EventsBumped, long ApiRequests, IReadOnlyDictionary<string, long> RequestsByKind, IReadOnlyDictionary<string, long> RequestsByVerb, IReadOnlyDictionary<string, int> TransitionsByKind, IReadOnlyDictionary<string, int> EventsByReason);

    public long StatusWrites { get; private set; }

    public long TransitionCount { get; private set; }

    public long EventsCreated { get; private set; }

    public long EventsBumped { get; private set; }

    public Counters Snapshot()
    {
        lock (_gate)
        {
            return new Counters(StatusWrites, TransitionCount, EventsCreated, EventsBumped, Interlocked.Read(ref _totalRequests),
                new Dictionary<string, long>(_requests, StringComparer.Ordinal), new Dictionary<string, long>(_requestsByVerb, StringComparer.Ordinal), new Dictionary<string, int>(_transitions, StringComparer.Ordinal), new Dictionary<string, int>(_eventsByReason, StringComparer.Ordinal));
        }
    }

    public int CountInPhase(string phase)
    {
        lock (_gate)
        {
            return _workloads.Values.Count(t => t.Phase == phase);
        }
    }

    public Dictionary<string, int> PhaseHistogram()
    {
        lock (_gate)
        {
            return _workloads.Values.GroupBy(t => t.Phase ?? "(none)").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        }
    }

    public Dictionary<string, DateTimeOffset?> FirstRunning()
    {
        lock (_gate)
        {
            return _workloads.ToDictionary(w => w.Key, w => w.Value.FirstRunning, StringComparer.Ordinal);
        }
    }

    public Dictionary<string, string?> Deadlines()
    {
        lock (_gate)
        {
            return _workloads.ToDictionary(w => w.Key, w => w.Value.Deadline, StringComparer.Ordinal);
        }
    }

    public void Dispose()
    {
        _requestFeed.Dispose();
        _workloadFeed.Dispose();
        _eventFeed.Dispose();
    }

    private static string Classify(string path)
    {
        if (path.Contains("/remoteworkloads", StringComparison.Ordinal))
        {
            return path.EndsWith("/status", StringComparison.Ordinal) ? "remoteworkloads/status" : "remoteworkloads";
        }

        foreach (var kind in new[] { "secrets", "events", "leases", "namespaces", "selfsubject" })
        {
            if (path.Contains("/" + kind, StringComparison.Ordinal))
            {
                return kind;
            }
        }

        return "other";
    }

    /// <summary>The Kubernetes verb of a request: get and list are both GETs, told apart by a name after the plural.</summary>
    private static string Verb(ObservedRequest request)
    {
        if (request.Watch)
        {
            return "watch";
        }

        var collection = Regex.IsMatch(request.Path, "/(secrets|events|remoteworkloads|leases|namespaces)$");
        return request.Method switch
        {
            "GET" => collection ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => collection ? "deletecollection" : "delete",
            _ => request.Method.ToLowerInvariant(),
        };
    }

    private async Task ReadWorkloadsAsync()
    {
        await foreach (var e in _workloadFeed.Events.Reader.ReadAllAsync())
        {
            var now = DateTimeOffset.UtcNow;
            var key = Key(e.Object);
            lock (_gate)
            {
                if (e.Type == "DELETED")
                {
                    _workloads.Remove(key);
                    continue;
                }

                if (!_workloads.TryGetValue(key, out var track))
                {
                    track = new Track();
                    _workloads[key] = track;
                }

                var status = e.Object["status"] as JsonObject;
                var before = e.Previous?["status"]?.ToJsonString();
                var after = status?.ToJsonString();
                if (e.Type == "MODIFIED" && before != after)
                {
                    track.StatusWrites++;
                    StatusWrites++;
                }

                var phase = status?["phase"]?.GetValue<string>();
                if (phase != track.Phase && phase is not null)
                {
                    var kind = $"{track.Phase ?? "(none)"}->{phase}";
                    _transitions[kind] = _transitions.GetValueOrDefault(kind) + 1;
                    track.Transitions++;
                    TransitionCount++;
                    track.Phase = phase;
                    if (phase == "Running" && track.FirstRunning is null)
                    {
                        track.FirstRunning = now;
                    }
                }

                track.Deadline = status?["authRetry"]?["deadline"]?.GetValue<string>();
            }
        }
    }

    private async Task ReadEventsAsync()
    {
        await foreach (var e in _eventFeed.Events.Reader.ReadAllAsync())
        {
            lock (_gate)
            {
                var reason = e.Object["reason"]?.GetValue<string>() ?? "(none)";
                if (e.Type == "ADDED")
                {
                    EventsCreated++;
                    _eventsByReason[reason] = _eventsByReason.GetValueOrDefault(reason) + 1;
                }
                else if (e.Type == "MODIFIED")
                {
                    EventsBumped++;
                    _eventsByReason[reason + " (count bump)"] = _eventsByReason.GetValueOrDefault(reason + " (count bump)") + 1;
                }
            }
        }
    }

    private static string Key(JsonObject obj) => $"{obj["metadata"]?["namespace"]?.GetValue<string>()}/{obj["metadata"]?["name"]?.GetValue<string>()}";
}
