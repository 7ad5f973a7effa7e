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

    // Agents removed or replaced whose monitor is still finishing its request, by key: no successor starts meanwhile.
    private readonly ConcurrentDictionary<string, Task> _stopping = new(StringComparer.Ordinal);
    private readonly Lock _keys = new();

    /// <summary>Raised for every status write (phase before, phase after), for metrics.</summary>
    public event Action<WorkloadPhase?, WorkloadPhase>? Transitioned;

    /// <summary>Raised with the key of every workload whose agent is stopped and forgotten (what the engine holds for it can go).</summary>
    public event Action<string>? Released;

    public int Count => _agents.Count;

    /// <summary>No refresh-token request before this in the current leadership term (see <see cref="LeadershipLoop"/>).</summary>
    public DateTimeOffset? RefreshTokenFence { get; set; }

    public IEnumerable<KeyValuePair<string, WorkloadAgent>> Agents => _agents;

    public WorkloadAgent? Find(string key) => _agents.TryGetValue(key, out var agent) ? agent : null;

    /// <summary>Queues a workload again (set by the controller while it leads): called when a stop handed off by a
    /// reconcile has ended, so the reconcile that was waiting for it runs.</summary>
    public Action<string>? Requeue { get; set; }

    /// <summary>
    /// The agent of <paramref name="workload"/>; a new one starts from the status read from the cluster. Null while an
    /// agent under the same key is still stopping — an older object of the same name (deleted and re-created, seen
    /// before its Deleted event) whose monitor may have a request in flight that the successor's must not overlap (it
    /// may rotate the refresh token the successor would send). The caller does not wait: the key is queued again
    /// (<see cref="Requeue"/>) once that stop has ended.
    /// </summary>
    public WorkloadAgent? GetOrCreate(RemoteWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var reference = WorkloadReference.From(workload);
        lock (_keys)
        {
            if (_stopping.TryGetValue(reference.Key, out var stopping) && !stopping.IsCompleted)
            {
                return null;
            }

            if (_agents.TryGetValue(reference.Key, out var existing))
            {
                if (existing.Status.Workload.Uid == reference.Uid)
                {
                    return existing;
                }

                _agents.TryRemove(new KeyValuePair<string, WorkloadAgent>(reference.Key, existing));
                if (HandOffStop(reference.Key, existing) is { IsCompleted: false })
                {
                    return null;
                }
            }

            return _agents.GetOrAdd(reference.Key, key =>
            {
                var publisher = new WorkloadStatusPublisher(reference, workload.Status, workload.Metadata.Generation, statusWriter, events, time, loggers.CreateLogger("RemoteWorkloadOperator.Status"));
                publisher.Transitioned += (before, after) => Transitioned?.Invoke(before, after);
                return new WorkloadAgent(publisher, () => Requeue?.Invoke(key));
            });
        }
    }

    /// <summary>
    /// Stops and forgets a deleted workload's agent, without a status write. The stop runs off the caller (a reconcile
    /// worker never waits for a request in flight); the returned task ends with it.
    /// </summary>
    public Task RemoveAsync(string key)
    {
        lock (_keys)
        {
            return _agents.TryRemove(key, out var agent) ? HandOffStop(key, agent) : Task.CompletedTask;
        }
    }

    /// <summary>Stops <paramref name="agent"/> in the background; the key is queued again when it has stopped.</summary>
    private Task HandOffStop(string key, WorkloadAgent agent)
    {
        var stopping = StopAndForgetAsync(key, agent);
        if (!stopping.IsCompleted)
        {
            _stopping[key] = stopping;
            _ = stopping.ContinueWith(
                done =>
                {
                    _stopping.TryRemove(new KeyValuePair<string, Task>(key, done));
                    Requeue?.Invoke(key);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return stopping;
    }

    private async Task StopAndForgetAsync(string key, WorkloadAgent agent)
    {
        await agent.StopAsync().ConfigureAwait(false);
        events.Forget(agent.Status.Workload.Uid);
        Released?.Invoke(key);
    }

    /// <summary>Stops every monitor without writing status (lost leadership, shutdown).</summary>
    public async Task StopAllAsync()
    {
        List<KeyValuePair<string, WorkloadAgent>> agents;
        lock (_keys)
        {
            agents = [.. _agents];
            _agents.Clear();
        }

        await Task.WhenAll(agents.Select(a => a.Value.StopAsync()).Concat(_stopping.Values)).ConfigureAwait(false);
        foreach (var (key, _) in agents)
        {
            Released?.Invoke(key);
        }
    }
}
