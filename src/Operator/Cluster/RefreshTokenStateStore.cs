using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>
/// Keeps refresh tokens rotated by the IdP in the operator's own Secret per workload
/// (<c>&lt;name&gt;-oauth-state</c>), never in the user's input Secret and never in the token
/// Secret consumers read. Next to the rotated token it stores the SHA-256 of the input token it
/// descends from: while the input Secret still holds that value the rotated token is the live
/// one; once a person puts a new value into the input Secret, the input wins again.
/// <para>The token to use is always read from the API server, never from the informer cache: the previous leader may
/// have saved a rotated token a moment ago, and sending the one before it would make the IdP revoke the grant. Saving
/// starts from the cache (a stale read costs a 409 and a live read, as the write carries its resourceVersion).</para>
/// <para>The Secret has no ownerReference: the garbage collector would delete the only copy of the rotated token with
/// its workload, and a workload applied again under the same name (Argo CD <c>Replace=true</c>, <c>kubectl delete -f
/// &amp;&amp; kubectl apply -f</c>, a restore, a CRD reinstall) would present the spent input token, which makes the
/// IdP revoke the grant. Annotations record the uid of the workload it serves and, once that workload is gone, when
/// it went; <see cref="StateSecretRetention"/> removes it after the retention period.</para>
/// </summary>
public sealed class RefreshTokenStateStore(IKubernetes client, ISecretReader secrets)
{
    private const string RefreshTokenKey = "refresh_token";
    private const string DescendsFromKey = "descends_from";
    private const int ConflictRetries = 5;

    public static string SecretName(string workloadName) => WorkloadSecretNames.State(workloadName);

    /// <summary>The refresh token to use: the rotated one when it descends from <paramref name="inputRefreshToken"/>, else the input.</summary>
    public async Task<string> ResolveAsync(WorkloadReference workload, string inputRefreshToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var state = await secrets.GetLiveAsync(workload.Namespace, SecretName(workload.Name), cancellationToken).ConfigureAwait(false);
        if (state?.Data is { } data
            && ManagedSecrets.IsManagedFor(state, workload.Name)
            && data.TryGetValue(DescendsFromKey, out var descendsFrom)
            && Encoding.ASCII.GetString(descendsFrom) == Fingerprint(inputRefreshToken)
            && data.TryGetValue(RefreshTokenKey, out var rotated)
            && rotated.Length > 0)
        {
            return Encoding.UTF8.GetString(rotated);
        }

        return inputRefreshToken;
    }

    /// <summary>The fingerprint of the input token <paramref name="state"/>'s rotated token descends from, if it is a state Secret that holds one.</summary>
    public static string? LineageOf(V1Secret state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return WorkloadOfState(state) is not null && state.Data?.TryGetValue(DescendsFromKey, out var descendsFrom) == true
            ? Encoding.ASCII.GetString(descendsFrom)
            : null;
    }

    /// <summary>Persists <paramref name="rotatedRefreshToken"/> as the successor of the input token with <paramref name="inputFingerprint"/> (see <see cref="Fingerprint"/>).</summary>
    public async Task SaveAsync(WorkloadReference workload, string inputFingerprint, string rotatedRefreshToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var data = new Dictionary<string, byte[]>
        {
            [RefreshTokenKey] = Encoding.UTF8.GetBytes(rotatedRefreshToken),
            [DescendsFromKey] = Encoding.ASCII.GetBytes(inputFingerprint),
        };
        for (var attempt = 0; ; attempt++)
        {
            var existing = attempt == 0
                ? await secrets.GetAsync(workload.Namespace, SecretName(workload.Name), cancellationToken).ConfigureAwait(false)
                : await secrets.GetLiveAsync(workload.Namespace, SecretName(workload.Name), cancellationToken).ConfigureAwait(false);
            var secret = new V1Secret
            {
                ApiVersion = "v1",
                Kind = "Secret",
                Type = "Opaque",
                Metadata = new V1ObjectMeta
                {
                    Name = SecretName(workload.Name),
                    NamespaceProperty = workload.Namespace,
                    Labels = ManagedSecrets.Labels(workload.Name),
                    Annotations = Annotations(workload),
                    ResourceVersion = existing?.Metadata.ResourceVersion,
                },
                Data = data,
            };
            try
            {
                if (existing is null)
                {
                    secrets.Written(await client.CoreV1.CreateNamespacedSecretAsync(secret, workload.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false));
                }
                else if (!ManagedSecrets.IsManagedFor(existing, workload.Name))
                {
                    throw new SecretConflictException(workload.Namespace, SecretName(workload.Name));
                }
                else
                {
                    secrets.Written(await client.CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, workload.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false));
                }

                return;
            }
            catch (Exception e) when (KubernetesCalls.IsConflict(e) && attempt < ConflictRetries)
            {
                // Changed between read and write: read again.
            }
        }
    }

    /// <summary>
    /// Makes the state Secret under <paramref name="workload"/>'s name serve this workload: records its uid, clears the
    /// orphaned mark and drops an ownerReference (an older version set one, on which the garbage collector would delete
    /// it). Which token is used still depends on its lineage (<see cref="ResolveAsync"/>). Writes nothing when the
    /// Secret already serves the workload, is absent or is not ours.
    /// </summary>
    public async Task AdoptAsync(WorkloadReference workload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        for (var attempt = 0; ; attempt++)
        {
            var existing = attempt == 0
                ? await secrets.GetAsync(workload.Namespace, SecretName(workload.Name), cancellationToken).ConfigureAwait(false)
                : await secrets.GetLiveAsync(workload.Namespace, SecretName(workload.Name), cancellationToken).ConfigureAwait(false);
            if (existing is null || !ManagedSecrets.IsManagedFor(existing, workload.Name) || Serves(existing, workload.Uid))
            {
                return;
            }

            var patch = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["resourceVersion"] = existing.Metadata.ResourceVersion,
                    ["ownerReferences"] = null,
                    ["annotations"] = new JsonObject
                    {
                        [WorkloadAnnotations.WorkloadUid] = workload.Uid,
                        [WorkloadAnnotations.OrphanedAt] = null,
                    },
                },
            };
            try
            {
                await PatchAsync(existing, patch, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (KubernetesCalls.IsConflict(e) && attempt < ConflictRetries)
            {
                // Changed between read and write: read again.
            }
            catch (Exception e) when (KubernetesCalls.IsNotFound(e))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Marks the state Secret of a workload that is gone with the time it went, unless it is marked already or serves
    /// a workload of that name created since. A conflict leaves it to the next look (the reconcile of a re-created
    /// workload adopts it; the retention sweep marks it).
    /// </summary>
    public async Task MarkOrphanedAsync(string @namespace, string workloadName, string? goneUid, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var existing = await secrets.GetAsync(@namespace, SecretName(workloadName), cancellationToken).ConfigureAwait(false);
        if (existing is null || !ManagedSecrets.IsManagedFor(existing, workloadName) || OrphanedSince(existing) is not null
            || (goneUid is not null && ServedUid(existing) is { } served && served != goneUid))
        {
            return;
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = existing.Metadata.ResourceVersion,
                ["annotations"] = new JsonObject { [WorkloadAnnotations.OrphanedAt] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) },
            },
        };
        try
        {
            await PatchAsync(existing, patch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (KubernetesCalls.IsConflict(e) || KubernetesCalls.IsNotFound(e))
        {
            // Adopted, changed or deleted meanwhile: whoever changed it decided.
        }
    }

    /// <summary>
    /// Deletes <paramref name="state"/> exactly as it was read (uid and resourceVersion preconditions), so a Secret
    /// adopted or rewritten since is kept. True when it was deleted.
    /// </summary>
    public async Task<bool> DeleteAsync(V1Secret state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            await client.CoreV1.DeleteNamespacedSecretAsync(state.Metadata.Name, state.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = state.Metadata.Uid, ResourceVersion = state.Metadata.ResourceVersion } },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (KubernetesCalls.IsConflict(e) || KubernetesCalls.IsNotFound(e))
        {
            return false;
        }
    }

    /// <summary>The workload whose state <paramref name="secret"/> holds, when it is one of our state Secrets.</summary>
    public static string? WorkloadOfState(V1Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return ManagedSecrets.WorkloadOf(secret) is { } name && secret.Metadata.Name == SecretName(name) ? name : null;
    }

    /// <summary>When the operator saw the workload of <paramref name="state"/> gone; null while it has not (or the mark is unreadable).</summary>
    public static DateTimeOffset? OrphanedSince(V1Secret state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Metadata.Annotations is { } annotations && annotations.TryGetValue(WorkloadAnnotations.OrphanedAt, out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at
                : null;
    }

    private static string? ServedUid(V1Secret state) =>
        state.Metadata.Annotations is { } annotations && annotations.TryGetValue(WorkloadAnnotations.WorkloadUid, out var uid) ? uid : null;

    private static bool Serves(V1Secret state, string uid) =>
        ServedUid(state) == uid && OrphanedSince(state) is null && (state.Metadata.OwnerReferences?.Count ?? 0) == 0;

    private static Dictionary<string, string> Annotations(WorkloadReference workload)
    {
        var annotations = ManagedSecrets.Annotations(workload.Name);
        annotations[WorkloadAnnotations.WorkloadUid] = workload.Uid;
        return annotations;
    }

    private async Task PatchAsync(V1Secret existing, JsonObject patch, CancellationToken cancellationToken) =>
        secrets.Written(await client.CoreV1.PatchNamespacedSecretAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch),
            existing.Metadata.Name, existing.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>SHA-256 of a token as lower-case hex; lets us recognise a value without storing it twice.</summary>
    public static string Fingerprint(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
