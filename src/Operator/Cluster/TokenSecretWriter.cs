using System.Globalization;
using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Runtime;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>
/// Writes the consumer-facing token Secret (keys <c>access_token</c>, <c>token_type</c>,
/// <c>expires_at</c>, <c>scope</c>, <c>token_binding</c> for a certificate-bound token), labelled as ours and, with ownership Owner, owned by the
/// workload. It refuses to overwrite a Secret it does not manage, and retries optimistic
/// conflicts against a fresh read. The first read comes from <paramref name="secrets"/> (the informer cache while
/// leading): a stale one costs a 409 and a live read, never a wrong write, because every write carries the
/// resourceVersion it was based on (a create fails when the Secret exists).
/// </summary>
public sealed class TokenSecretWriter(IKubernetes client, ISecretReader secrets)
{
    private const int ConflictRetries = 5;

    /// <summary>Creates or updates the token Secret; returns false when it already held exactly this content.</summary>
    /// <exception cref="SecretConflictException">A Secret of that name exists and is not ours.</exception>
    public async Task<bool> PublishAsync(WorkloadReference workload, string secretName, bool owned, PublishedToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(token);
        var data = Data(token);
        for (var attempt = 0; ; attempt++)
        {
            var existing = attempt == 0
                ? await secrets.GetAsync(workload.Namespace, secretName, cancellationToken).ConfigureAwait(false)
                : await secrets.GetLiveAsync(workload.Namespace, secretName, cancellationToken).ConfigureAwait(false);
            try
            {
                if (existing is null)
                {
                    secrets.Written(await client.CoreV1.CreateNamespacedSecretAsync(Build(workload, secretName, owned, data), workload.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false));
                    return true;
                }

                if (!ManagedSecrets.IsManagedFor(existing, workload.Name))
                {
                    throw new SecretConflictException(workload.Namespace, secretName);
                }

                var desired = Build(workload, secretName, owned, data);
                if (SameContent(existing, desired))
                {
                    return false;
                }

                desired.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
                desired.Metadata.Annotations = new Dictionary<string, string>(existing.Metadata.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal);
                foreach (var (key, value) in ManagedSecrets.Annotations(workload.Name))
                {
                    desired.Metadata.Annotations[key] = value;
                }

                secrets.Written(await client.CoreV1.ReplaceNamespacedSecretAsync(desired, secretName, workload.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false));
                return true;
            }
            catch (Exception e) when (KubernetesCalls.IsConflict(e) && attempt < ConflictRetries)
            {
                // Someone changed or created it between our read and write: read again.
            }
        }
    }

    /// <summary>Whether the Secret still holds exactly what we published (used to repair tampering).</summary>
    public static bool Holds(V1Secret secret, PublishedToken token)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(token);
        var data = Data(token);
        return secret.Data is { } current && current.Count == data.Count
            && data.All(pair => current.TryGetValue(pair.Key, out var value) && value.AsSpan().SequenceEqual(pair.Value));
    }

    private static Dictionary<string, byte[]> Data(PublishedToken token)
    {
        var data = new Dictionary<string, byte[]>
        {
            ["access_token"] = Encoding.UTF8.GetBytes(token.AccessToken),
            ["token_type"] = Encoding.UTF8.GetBytes(token.TokenType),
        };
        if (token.ExpiresAt is { } expiresAt)
        {
            data["expires_at"] = Encoding.UTF8.GetBytes(expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(token.Scope))
        {
            data["scope"] = Encoding.UTF8.GetBytes(token.Scope);
        }

        if (!string.IsNullOrEmpty(token.TokenBinding))
        {
            // Not secret (a certificate hash): it tells a consumer the token is useless without that certificate.
            data["token_binding"] = Encoding.UTF8.GetBytes(token.TokenBinding);
        }

        return data;
    }

    private static V1Secret Build(WorkloadReference workload, string secretName, bool owned, Dictionary<string, byte[]> data) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Type = "Opaque",
        Metadata = new V1ObjectMeta
        {
            Name = secretName,
            NamespaceProperty = workload.Namespace,
            Labels = ManagedSecrets.Labels(workload.Name),
            Annotations = ManagedSecrets.Annotations(workload.Name),
            OwnerReferences = owned ? [workload.OwnerReference()] : null,
        },
        Data = data,
    };

    private static bool SameContent(V1Secret existing, V1Secret desired)
    {
        var sameOwners = (existing.Metadata.OwnerReferences?.Count ?? 0) == (desired.Metadata.OwnerReferences?.Count ?? 0)
            && (desired.Metadata.OwnerReferences is null
                || existing.Metadata.OwnerReferences!.Select(o => o.Uid).SequenceEqual(desired.Metadata.OwnerReferences.Select(o => o.Uid)));
        var sameData = existing.Data is { } current && current.Count == desired.Data.Count
            && desired.Data.All(pair => current.TryGetValue(pair.Key, out var value) && value.AsSpan().SequenceEqual(pair.Value));
        return sameOwners && sameData && existing.Type == desired.Type;
    }
}
