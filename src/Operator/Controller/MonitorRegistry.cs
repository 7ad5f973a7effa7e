using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Controller;

/// <summary>The agents (and so the monitors) of every workload this replica currently leads for.</summary>
public sealed class MonitorRegistry(StatusWriter statusWriter, EventRecorder events, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ConcurrentDictionary<string, WorkloadAgent> _agents = new(StringComparer.Ordinal);

    // One per key ever seen (a few bytes each): replacing and removing a key's agent are serialised, so a successor
    // never starts while its predecessor is still stopping.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _keyLocks = new(StringComparer.Ordinal);

    /// <summary>Raised for every status write (phase before, phase after), for metrics.</summary>
    public event Action<WorkloadPhase?, WorkloadPhase>? Transitioned;

    /// <summary>Raised with the key of every workload whose agent is stopped and forgotten (what the engine holds for it can go).</summary>
    public event Action<string>? Released;

    public int Count => _agents.Count;

    /// <summary>No refresh-token request before this in the current leadership term (see <see cref="LeadershipLoop"/>).</summary>
    public DateTimeOffset? RefreshTokenFence { get; set; }

    public IEnumerable<KeyValuePair<string, WorkloadAgent>> Agents => _agents;

    public WorkloadAgent? Find(string key) => _agents.TryGetValue(key, out var agent) ? agent : null;

    /// <summary>
    /// The agent of <paramref name="workload"/>; a new one starts from the status read from the cluster. When the key's
    /// agent belongs to an older object of the same name (deleted and re-created, seen before its Deleted event), that
    /// agent is stopped first, under the key's lock: its monitor may have a request in flight, and the successor's must
    /// not overlap it (the old request may rotate the refresh token the successor would send).
    /// </summary>
    public async Task<WorkloadAgent> GetOrCreateAsync(RemoteWorkload workload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var reference = WorkloadReference.From(workload);
        var keyLock = KeyLock(reference.Key);
        await keyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_agents.TryGetValue(reference.Key, out var existing))
            {
                if (existing.Status.Workload.Uid == reference.Uid)
                {
                    return existing;
                }

                _agents.TryRemove(new KeyValuePair<string, WorkloadAgent>(reference.Key, existing));
                await existing.StopAsync().ConfigureAwait(false);
                events.Forget(existing.Status.Workload.Uid);
            }

            return _agents.GetOrAdd(reference.Key, _ =>
            {
                var publisher = new WorkloadStatusPublisher(reference, workload.Status, workload.Metadata.Generation, statusWriter, events, time, loggers.CreateLogger("RemoteWorkloadOperator.Status"));
                publisher.Transitioned += (before, after) => Transitioned?.Invoke(before, after);
                return new WorkloadAgent(publisher);
            });
        }
        finally
        {
            keyLock.Release();
        }
    }

    /// <summary>Stops and forgets a deleted workload's agent, without a status write.</summary>
    public async Task RemoveAsync(string key)
    {
        var keyLock = KeyLock(key);
        await keyLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_agents.TryRemove(key, out var agent))
            {
                await agent.StopAsync().ConfigureAwait(false);
                events.Forget(agent.Status.Workload.Uid);
                Released?.Invoke(key);
            }
        }
        finally
        {
            keyLock.Release();
        }
    }

    private SemaphoreSlim KeyLock(string key) => _keyLocks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));

    /// <summary>Stops every monitor without writing status (lost leadership, shutdown).</summary>
    public async Task StopAllAsync()
    {
        var agents = _agents.ToList();
        _agents.Clear();
        await Task.WhenAll(agents.Select(a => a.Value.StopAsync())).ConfigureAwait(false);
        foreach (var (key, _) in agents)
        {
            Released?.Invoke(key);
        }
    }
}
