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

    /// <summary>Raised for every status write (phase before, phase after), for metrics.</summary>
    public event Action<WorkloadPhase?, WorkloadPhase>? Transitioned;

    /// <summary>Raised with the key of every workload whose agent is stopped and forgotten (what the engine holds for it can go).</summary>
    public event Action<string>? Released;

    public int Count => _agents.Count;

    /// <summary>No refresh-token request before this in the current leadership term (see <see cref="LeadershipLoop"/>).</summary>
    public DateTimeOffset? RefreshTokenFence { get; set; }

    public IEnumerable<KeyValuePair<string, WorkloadAgent>> Agents => _agents;

    public WorkloadAgent? Find(string key) => _agents.TryGetValue(key, out var agent) ? agent : null;

    /// <summary>The agent of <paramref name="workload"/>; a new one starts from the status read from the cluster.</summary>
    public WorkloadAgent GetOrCreate(RemoteWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var reference = WorkloadReference.From(workload);
        var agent = _agents.GetOrAdd(reference.Key, _ =>
        {
            var publisher = new WorkloadStatusPublisher(reference, workload.Status, workload.Metadata.Generation, statusWriter, events, time, loggers.CreateLogger("RemoteWorkloadOperator.Status"));
            publisher.Transitioned += (before, after) => Transitioned?.Invoke(before, after);
            return new WorkloadAgent(publisher);
        });
        if (agent.Status.Workload.Uid != reference.Uid)
        {
            // Deleted and re-created under the same name: a different object, start over.
            _agents.TryRemove(new KeyValuePair<string, WorkloadAgent>(reference.Key, agent));
            _ = agent.StopAsync();
            return GetOrCreate(workload);
        }

        return agent;
    }

    /// <summary>Stops and forgets a deleted workload's agent, without a status write.</summary>
    public async Task RemoveAsync(string key)
    {
        if (_agents.TryRemove(key, out var agent))
        {
            await agent.StopAsync().ConfigureAwait(false);
            events.Forget(agent.Status.Workload.Uid);
            Released?.Invoke(key);
        }
    }

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
