using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>
/// Which workload holds a rotating refresh token (one key of one Secret): an empty Secret of the operator's, named
/// after the Secret and key and owned by the holder. It is created only if absent and taken over only with the
/// resourceVersion it was read at, so of two reconciles or two replicas claiming one key at once exactly one wins; the
/// other sees the winner. A claim whose holder is gone (deleted, re-created under a new uid, or now using another key)
/// is taken over; while the holder lives it keeps the key, whatever names and creation times say.
/// <para>A key whose token another workload already rotated is never claimed: the claim records the fingerprint of the
/// token the key held while its holder held it, and every state Secret of the namespace records the fingerprint its
/// rotated token descends from (it outlives its workload). While the key still holds such a token, sending it would
/// make the IdP revoke the family; a person puts a fresh refresh token into the key to use it elsewhere. The same
/// workload applied again under its name continues from its own state Secret instead.</para>
/// </summary>
public sealed class RefreshTokenClaims(IKubernetes client, ISecretReader secrets)
{
    private const string Prefix = "refresh-token-claim-";
    private const int HashLength = 20;
    private const int ConflictRetries = 5;

    /// <summary>The claim's record of the key's token while its holder held it (<see cref="RefreshTokenStateStore.Fingerprint"/>).</summary>
    private const string InputFingerprintAnnotation = "workloads.dev/claimed-input-sha256";

    /// <summary>The claim Secret of key <paramref name="reference"/> (a name from a hash: a Secret name and key together can be longer than a name may be).</summary>
    public static string SecretName(SecretKeyReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{reference.Name}/{reference.Key}")))[..HashLength];
    }

    /// <summary>The holder a claim Secret names (name and uid), if it is one of ours.</summary>
    public static WorkloadReference? HolderOf(V1Secret? claim)
    {
        if (claim is null || ManagedSecrets.WorkloadOf(claim) is not { } name
            || claim.Metadata.Annotations?.TryGetValue(WorkloadAnnotations.WorkloadUid, out var uid) != true)
        {
            return null;
        }

        return new WorkloadReference(claim.Metadata.NamespaceProperty, name, uid!);
    }

    /// <summary>
    /// Claims <paramref name="reference"/> for <paramref name="workload"/>; returns null when it holds the key now, else
    /// why it may not (the holder it lost to, or who rotated the key's token). <paramref name="holderAlive"/> says whether a holder named by an existing claim still
    /// exists and uses the key (asked only for another workload's claim). <paramref name="inputFingerprint"/> is the
    /// fingerprint of the token in the key now; a refusal because another workload rotated that token says so
    /// (<see cref="ClaimRefusal.Rotated"/>).
    /// </summary>
    /// <exception cref="SecretConflictException">A Secret under the claim's name is not ours.</exception>
    public async Task<ClaimRefusal?> ClaimAsync(WorkloadReference workload, SecretKeyReference reference, string inputFingerprint, Func<WorkloadReference, CancellationToken, Task<bool>> holderAlive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(holderAlive);
        var name = SecretName(reference);
        for (var attempt = 0; ; attempt++)
        {
            var claim = attempt == 0
                ? await secrets.GetAsync(workload.Namespace, name, cancellationToken).ConfigureAwait(false)
                : await secrets.GetLiveAsync(workload.Namespace, name, cancellationToken).ConfigureAwait(false);
            if (claim is not null && ManagedSecrets.WorkloadOf(claim) is null)
            {
                throw new SecretConflictException(workload.Namespace, name);
            }

            var holder = HolderOf(claim);
            var recorded = claim?.Metadata.Annotations?.TryGetValue(InputFingerprintAnnotation, out var fingerprint) == true ? fingerprint : null;
            if (holder?.Uid == workload.Uid && recorded == inputFingerprint)
            {
                return null;
            }

            if (holder is not null && holder.Uid != workload.Uid)
            {
                if (await holderAlive(holder, cancellationToken).ConfigureAwait(false))
                {
                    return new ClaimRefusal(holder.Name, Rotated: false);
                }

                if (holder.Name != workload.Name && recorded == inputFingerprint)
                {
                    // Moved to another key or gone, while the key still holds the token it held (and may have rotated).
                    return new ClaimRefusal(holder.Name, Rotated: true);
                }
            }

            if (holder?.Uid != workload.Uid && await RotatedByAnotherAsync(workload, inputFingerprint, cancellationToken).ConfigureAwait(false) is { } rotatedBy)
            {
                return new ClaimRefusal(rotatedBy, Rotated: true);
            }

            var desired = Build(workload, reference, inputFingerprint, name, claim?.Metadata.ResourceVersion);
            try
            {
                secrets.Written(claim is null
                    ? await client.CoreV1.CreateNamespacedSecretAsync(desired, workload.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false)
                    : await client.CoreV1.ReplaceNamespacedSecretAsync(desired, name, workload.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false));
                return null;
            }
            catch (Exception e) when ((KubernetesCalls.IsConflict(e) || KubernetesCalls.IsNotFound(e)) && attempt < ConflictRetries)
            {
                // Someone else created, took over or removed it between our read and write: look again, live.
            }
        }
    }

    /// <summary>
    /// Another workload of the namespace whose state Secret (which outlives it) holds a rotation of the token with
    /// <paramref name="inputFingerprint"/>: that token is spent. A live list of the operator's own Secrets, made only
    /// when a claim is created or taken over.
    /// </summary>
    private async Task<string?> RotatedByAnotherAsync(WorkloadReference workload, string inputFingerprint, CancellationToken cancellationToken)
    {
        var managed = await client.CoreV1.ListNamespacedSecretAsync(
            workload.Namespace,
            labelSelector: $"{WorkloadAnnotations.ManagedByLabel}={WorkloadAnnotations.ManagedByValue}",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return managed.Items
            .Where(state => RefreshTokenStateStore.LineageOf(state) == inputFingerprint)
            .Select(RefreshTokenStateStore.WorkloadOfState)
            .FirstOrDefault(name => name is not null && name != workload.Name);
    }

    private static V1Secret Build(WorkloadReference workload, SecretKeyReference reference, string inputFingerprint, string name, string? resourceVersion)
    {
        var annotations = ManagedSecrets.Annotations(workload.Name);
        annotations[WorkloadAnnotations.WorkloadUid] = workload.Uid;
        annotations[InputFingerprintAnnotation] = inputFingerprint;
        annotations[WorkloadAnnotations.ClaimedRefreshToken] = $"{reference.Name}/{reference.Key}";
        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "Opaque",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = workload.Namespace,
                Labels = ManagedSecrets.Labels(workload.Name),
                Annotations = annotations,
                // Goes with its holder; a claim left behind (the holder went while no collector ran) is taken over.
                OwnerReferences = [workload.OwnerReference()],
                ResourceVersion = resourceVersion,
            },
        };
    }
}
