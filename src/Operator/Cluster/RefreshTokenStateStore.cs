using System.Net;
using System.Security.Cryptography;
using System.Text;
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
                    Annotations = ManagedSecrets.Annotations(workload.Name),
                    // Always owned: the state is meaningless without its workload.
                    OwnerReferences = [workload.OwnerReference()],
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

    /// <summary>SHA-256 of a token as lower-case hex; lets us recognise a value without storing it twice.</summary>
    public static string Fingerprint(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
