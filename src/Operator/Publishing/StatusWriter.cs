using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Publishing;

/// <summary>
/// Writes a workload's status as a JSON merge patch on the <c>/status</c> subresource. The patch
/// names every top-level status field: changed ones with their value, vanished ones with null,
/// so a cleared <c>authRetry</c> really disappears. A 409 is retried against a fresh read; a
/// deleted workload ends the write quietly; throttling, server errors and broken connections are
/// retried with a short exponential backoff. Callers serialise writes per workload (one writer).
/// </summary>
public sealed class StatusWriter(IKubernetes client)
{
    private const int ConflictRetries = 8;
    private const int TransientRetries = 6;

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
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < ConflictRetries)
            {
                var fresh = await ReadAsync(workload, cancellationToken).ConfigureAwait(false);
                if (fresh is null)
                {
                    return false;
                }

                current = fresh.Status;
            }
            catch (Exception e) when (IsTransient(e) && transientFailures < TransientRetries)
            {
                transientFailures++;
                await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, transientFailures)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Throttling, server-side errors and broken connections: worth another try.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        HttpOperationException e => e.Response.StatusCode is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError,
        HttpRequestException or IOException => true,
        _ => false,
    };

    /// <summary>The merge-patch body that turns <paramref name="current"/> into <paramref name="desired"/>.</summary>
    public static JsonObject Diff(RemoteWorkloadStatus? current, RemoteWorkloadStatus desired)
    {
        var before = current is null ? new JsonObject() : JsonNode.Parse(KubernetesJson.Serialize(current))!.AsObject();
        var after = JsonNode.Parse(KubernetesJson.Serialize(desired))!.AsObject();
        foreach (var (name, _) in before)
        {
            if (!after.ContainsKey(name))
            {
                after[name] = null;
            }
        }

        return after;
    }

    private async Task<RemoteWorkload?> ReadAsync(WorkloadReference workload, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CustomObjects.GetNamespacedCustomObjectAsync<RemoteWorkload>(
                WorkloadApi.Group, WorkloadApi.Version, workload.Namespace, WorkloadApi.Plural, workload.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
