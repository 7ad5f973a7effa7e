using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>
/// Writes a workload's status as a JSON merge patch on the <c>/status</c> subresource. The patch
/// carries what changed: changed leaves with their value, vanished ones with null at every depth,
/// so a cleared <c>authRetry.nextAttemptTime</c> really disappears. A 409 is retried against a fresh read; a
/// deleted workload ends the write quietly; throttling, server errors and broken connections are
/// retried with a short exponential backoff. Callers serialise writes per workload (one writer).
/// </summary>
public sealed class StatusWriter(IKubernetes client)
{
    private const int ConflictRetries = 8;
    private const int TransientRetries = 6;

    // 200 ms, 400 ms … 6.4 s: a throttled or restarting API server gets about 12 s before the publisher takes over.
    private static readonly TimeSpan TransientFirstWait = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan TransientMaxWait = TimeSpan.FromMilliseconds(6400);

    /// <summary>Patches the status from <paramref name="current"/> to <paramref name="desired"/>; false when the workload is gone.</summary>
    public async Task<bool> WriteAsync(WorkloadReference workload, RemoteWorkloadStatus? current, RemoteWorkloadStatus desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var transientFailures = 0;
        for (var attempt = 0; ; attempt++)
        {
            var patch = new JsonObject { ["status"] = Diff(current, desired) };
            try
            {
                await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
                    new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch),
                    WorkloadApi.Group, WorkloadApi.Version, workload.Namespace, WorkloadApi.Plural, workload.Name,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (KubernetesCalls.IsNotFound(e))
            {
                return false;
            }
            catch (Exception e) when (KubernetesCalls.IsConflict(e) && attempt < ConflictRetries)
            {
                var fresh = await ReadAsync(workload, cancellationToken).ConfigureAwait(false);
                if (fresh is null)
                {
                    return false;
                }

                current = fresh.Status;
            }
            catch (Exception e) when (KubernetesCalls.IsTransient(e) && transientFailures < TransientRetries)
            {
                transientFailures++;
                await Task.Delay(Backoff.Delay(transientFailures, TransientFirstWait, TransientMaxWait), cancellationToken).ConfigureAwait(false);
            }
        }
    }


    /// <summary>
    /// The merge-patch body that turns <paramref name="current"/> into <paramref name="desired"/>: changed leaves with
    /// their value, vanished ones with null, at every depth. Under RFC 7386 nested objects merge, so a field that
    /// disappears inside <c>authRetry</c> or <c>token</c> must be nulled by name, or the server keeps the stale value.
    /// Lists (conditions) are replaced whole, as merge patch does.
    /// </summary>
    public static JsonObject Diff(RemoteWorkloadStatus? current, RemoteWorkloadStatus desired)
    {
        var before = current is null ? new JsonObject() : JsonNode.Parse(KubernetesJson.Serialize(current))!.AsObject();
        var after = JsonNode.Parse(KubernetesJson.Serialize(desired))!.AsObject();
        return DiffObjects(before, after);
    }

    private static JsonObject DiffObjects(JsonObject before, JsonObject after)
    {
        var patch = new JsonObject();
        foreach (var (name, value) in after)
        {
            before.TryGetPropertyValue(name, out var old);
            if (value is JsonObject nestedAfter && old is JsonObject nestedBefore)
            {
                var nested = DiffObjects(nestedBefore, nestedAfter);
                if (nested.Count > 0)
                {
                    patch[name] = nested;
                }
            }
            else if (old is null || !JsonNode.DeepEquals(old, value))
            {
                patch[name] = value?.DeepClone();
            }
        }

        foreach (var (name, _) in before)
        {
            if (!after.ContainsKey(name))
            {
                patch[name] = null;
            }
        }

        return patch;
    }

    private async Task<RemoteWorkload?> ReadAsync(WorkloadReference workload, CancellationToken cancellationToken)
    {
        return await KubernetesCalls.ReadOrNullAsync(() => client.CustomObjects.GetNamespacedCustomObjectAsync<RemoteWorkload>(
            WorkloadApi.Group, WorkloadApi.Version, workload.Namespace, WorkloadApi.Plural, workload.Name, cancellationToken)).ConfigureAwait(false);
    }
}
