using System.Collections.Concurrent;
using System.Globalization;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Controller;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>
/// Records core/v1 Events on workloads. Repeats of the same (workload, type, reason, message)
/// within the dedupe window bump the existing Event's count instead of creating a new object,
/// as kubectl and client-go's recorder do. Event failures are swallowed by the caller's choice:
/// an Event is a notification, never a reason to lose a transition.
/// </summary>
public sealed class EventRecorder(IKubernetes client, TimeProvider time, string component = "remoteworkload-operator")
{
    private const int MaxNameLength = 253;
    private static readonly TimeSpan DedupeWindow = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, (string Name, int Count, DateTimeOffset Last)> _recent = new(StringComparer.Ordinal);

    /// <summary>Records a Normal or Warning Event.</summary>
    public async Task RecordAsync(WorkloadReference workload, string type, string reason, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var now = time.GetUtcNow();
        var dedupeKey = $"{workload.Uid}\u0000{type}\u0000{reason}\u0000{message}";
        if (_recent.TryGetValue(dedupeKey, out var recent) && now - recent.Last < DedupeWindow)
        {
            var count = recent.Count + 1;
            var patch = $$"""{"count":{{count}},"lastTimestamp":"{{now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}"}""";
            await client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), recent.Name, workload.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            _recent[dedupeKey] = (recent.Name, count, now);
            return;
        }

        var name = EventName(workload.Name, now);
        var @event = new Corev1Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = workload.Namespace },
            InvolvedObject = workload.ObjectReference(),
            Type = type,
            Reason = reason,
            Message = message,
            Count = 1,
            FirstTimestamp = now.UtcDateTime,
            LastTimestamp = now.UtcDateTime,
            Source = new V1EventSource { Component = component },
            ReportingComponent = component,
            ReportingInstance = Environment.MachineName,
        };
        await client.CoreV1.CreateNamespacedEventAsync(@event, workload.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        _recent[dedupeKey] = (name, 1, now);
        Prune(now);
    }

    /// <summary>
    /// client-go's recorder names an Event <c>&lt;object name&gt;.&lt;unix nanoseconds in hex&gt;</c>
    /// (tools/record/event.go makeEvent); an Event name must be a DNS subdomain of at most 253 characters
    /// (kube-apiserver ValidateObjectMeta), so a long workload name is shortened to fit, ending alphanumeric.
    /// </summary>
    public static string EventName(string workloadName, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(workloadName);
        var suffix = "." + ((at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100).ToString("x", CultureInfo.InvariantCulture);
        var prefix = workloadName.Length + suffix.Length <= MaxNameLength ? workloadName : workloadName[..(MaxNameLength - suffix.Length)].TrimEnd('-', '.');
        return prefix + suffix;
    }

    /// <summary>Forgets a deleted workload's recent Events.</summary>
    public void Forget(string workloadUid)
    {
        foreach (var key in _recent.Keys.Where(k => k.StartsWith(workloadUid + "\u0000", StringComparison.Ordinal)))
        {
            _recent.TryRemove(key, out _);
        }
    }

    private void Prune(DateTimeOffset now)
    {
        if (_recent.Count < 4096)
        {
            return;
        }

        foreach (var (key, value) in _recent)
        {
            if (now - value.Last >= DedupeWindow)
            {
                _recent.TryRemove(key, out _);
            }
        }
    }
}
