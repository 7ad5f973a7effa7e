using k8s.Models;
using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Cluster;

namespace RemoteWorkloadOperator.Controller;

/// <summary>
/// How long a rotated refresh token outlives its workload. A state Secret has no ownerReference (see
/// <see cref="RefreshTokenStateStore"/>): when its workload goes it is marked with the time, a workload applied again
/// under the same name within <c>--state-secret-retention</c> adopts it (and continues from the rotated token if its
/// input token has the same lineage), and a sweep at start and at every resync deletes the ones no workload claimed
/// for longer than the retention.
/// </summary>
public sealed partial class StateSecretRetention(RefreshTokenStateStore state, TimeSpan retention, TimeProvider time, ILogger logger)
{
    /// <summary>The workload <paramref name="key"/> (namespace/name) is gone: its state Secret starts its retention now.</summary>
    /// <param name="key">The workload's key.</param>
    /// <param name="goneUid">The uid of the workload that went, when known; a Secret serving another uid is left alone.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public Task ReleaseAsync(string key, string? goneUid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return state.MarkOrphanedAsync(key[..slash], key[(slash + 1)..], goneUid, time.GetUtcNow(), cancellationToken);
    }

    /// <summary>
    /// Marks the state Secrets among <paramref name="secrets"/> whose workload is absent and not yet marked (one that
    /// went while no operator ran), and deletes the ones marked longer than the retention ago.
    /// </summary>
    /// <param name="secrets">The cached Secrets (anything that is not a state Secret is skipped).</param>
    /// <param name="workloadExists">Whether a workload of that key (namespace/name) exists.</param>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    public async Task SweepAsync(IEnumerable<V1Secret> secrets, Func<string, bool> workloadExists, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(workloadExists);
        var now = time.GetUtcNow();
        foreach (var secret in secrets.ToList())
        {
            if (RefreshTokenStateStore.WorkloadOfState(secret) is not { } workloadName
                || workloadExists($"{secret.Metadata.NamespaceProperty}/{workloadName}"))
            {
                continue;
            }

            if (RefreshTokenStateStore.OrphanedSince(secret) is not { } since)
            {
                await state.MarkOrphanedAsync(secret.Metadata.NamespaceProperty, workloadName, goneUid: null, now, cancellationToken).ConfigureAwait(false);
            }
            else if (now - since >= retention && await state.DeleteAsync(secret, cancellationToken).ConfigureAwait(false))
            {
                LogDeleted(logger, secret.Metadata.NamespaceProperty, secret.Metadata.Name, since);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "deleted state Secret {Namespace}/{Name}: no workload claimed it since {OrphanedAt:O}, longer than the retention")]
    private static partial void LogDeleted(ILogger logger, string @namespace, string name, DateTimeOffset orphanedAt);
}
