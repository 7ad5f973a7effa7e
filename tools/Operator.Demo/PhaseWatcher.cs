using k8s;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Demo;

/// <summary>Polls workloads and reports every phase change, so the narration shows what the cluster shows.</summary>
internal sealed class PhaseWatcher(IKubernetes client, Narrator narrator)
{
    private readonly Dictionary<string, WorkloadPhase?> _last = [];

    /// <summary>Every (workload, phase) change seen, in order.</summary>
    public List<(string Workload, WorkloadPhase Phase)> Seen { get; } = [];

    /// <summary>Waits until <paramref name="name"/> is in <paramref name="phase"/>, reporting changes on the way.</summary>
    public async Task<RemoteWorkload> WaitForAsync(string ns, string name, WorkloadPhase phase, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var workload = await client.CustomObjects.GetNamespacedCustomObjectAsync<RemoteWorkload>(
                WorkloadApi.Group, WorkloadApi.Version, ns, WorkloadApi.Plural, name, cancellationToken).ConfigureAwait(false);
            var current = workload.Status?.Phase;
            if (!_last.TryGetValue(name, out var previous) || previous != current)
            {
                _last[name] = current;
                if (current is { } seen)
                {
                    Seen.Add((name, seen));
                    narrator.Phase(name, seen.ToString(), workload.Status?.Reason);
                }
            }

            if (current == phase)
            {
                return workload;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{ns}/{name} did not reach {phase} within {timeout} (last phase {current?.ToString() ?? "none"}, reason {workload.Status?.Reason}: {workload.Status?.Message})");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }
}
