using System.Text;
using k8s.Models;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>
/// Reads a workload's credentials from Secrets in the workload's own namespace (never another:
/// a reference has no namespace field), substituting the rotated refresh token when it still
/// descends from the input value. The version is made of fingerprints, so it changes exactly
/// when a person changes a credential. While the operator leads, <paramref name="secrets"/> is the informer cache, so
/// neither a reconcile nor an attempt costs a Secret GET.
/// </summary>
public sealed class KubernetesCredentialsSource(
    ISecretReader secrets,
    RefreshTokenStateStore state,
    WorkloadReference workload,
    SecretKeyReference? clientSecretRef,
    SecretKeyReference? refreshTokenSecretRef,
    SecretKeyReference? privateKeySecretRef = null,
    ServiceAccountTokenSpec? serviceAccountToken = null,
    IServiceAccountTokens? serviceAccounts = null,
    SecretKeyReference? subjectTokenSecretRef = null,
    bool serviceAccountTokenIsSubject = false,
    TlsSecretReference? clientCertificateSecretRef = null) : ICredentialsSource
{
    /// <summary>The lifetime asked of a ServiceAccount token when the spec names none: the TokenRequest minimum, since each token serves one request.</summary>
    public const long DefaultServiceAccountTokenSeconds = ServiceAccountTokenSpec.MinExpirationSeconds;

    /// <summary>Separates the input refresh token's fingerprint from the rest of the version.</summary>
    public const char VersionSeparator = '.';

    public async ValueTask<MonitorCredentials> GetAsync(CancellationToken cancellationToken)
    {
        var inputs = await ReadInputsAsync(cancellationToken).ConfigureAwait(false);
        var refreshToken = inputs.InputRefreshToken is null ? null : await state.ResolveAsync(workload, inputs.InputRefreshToken, cancellationToken).ConfigureAwait(false);
        // A fresh token for every request (client assertion or subject token), never reused: an IdP that refuses a repeated jti accepts each one.
        var assertion = serviceAccountToken is null || serviceAccounts is null
            ? null
            : await serviceAccounts.RequestTokenAsync(workload.Namespace, serviceAccountToken.Name, serviceAccountToken.Audience,
                serviceAccountToken.ExpirationSeconds ?? DefaultServiceAccountTokenSeconds, cancellationToken).ConfigureAwait(false);
        return new MonitorCredentials(Version(inputs), inputs.ClientSecret, refreshToken)
        {
            Lineage = inputs.InputRefreshToken is null ? null : RefreshTokenStateStore.Fingerprint(inputs.InputRefreshToken),
            PrivateKey = inputs.PrivateKey,
            ServiceAccountToken = serviceAccountTokenIsSubject ? null : assertion,
            SubjectToken = serviceAccountTokenIsSubject ? assertion : inputs.SubjectToken,
            ClientCertificate = inputs.ClientCertificate,
        };
    }

    /// <summary>Reads the referenced values as the user wrote them, and the revision of the Secrets they came from.</summary>
    /// <exception cref="CredentialsUnavailableException">A Secret or key is missing (reason SecretNotFound or SecretKeyMissing).</exception>
    public async Task<CredentialInputs> ReadInputsAsync(CancellationToken cancellationToken)
    {
        var revisions = new SortedSet<string>(StringComparer.Ordinal);
        var clientSecret = clientSecretRef is null ? null : await ReadKeyAsync(clientSecretRef, "spec.oauth.clientSecretRef", revisions, cancellationToken).ConfigureAwait(false);
        var inputRefreshToken = refreshTokenSecretRef is null ? null : await ReadKeyAsync(refreshTokenSecretRef, "spec.oauth.refreshTokenSecretRef", revisions, cancellationToken).ConfigureAwait(false);
        var privateKey = privateKeySecretRef is null ? null : await ReadKeyAsync(privateKeySecretRef, "spec.oauth.privateKeySecretRef", revisions, cancellationToken).ConfigureAwait(false);
        var subjectToken = subjectTokenSecretRef is null ? null : await ReadKeyAsync(subjectTokenSecretRef, "spec.oauth.tokenExchange.subjectTokenSecretRef", revisions, cancellationToken).ConfigureAwait(false);
        var clientCertificate = clientCertificateSecretRef is null ? null : new ClientCertificatePem(
            await ReadKeyAsync(new SecretKeyReference { Name = clientCertificateSecretRef.Name, Key = TlsSecretReference.CertificateKey }, "spec.oauth.clientCertificateSecretRef", revisions, cancellationToken).ConfigureAwait(false),
            await ReadKeyAsync(new SecretKeyReference { Name = clientCertificateSecretRef.Name, Key = TlsSecretReference.PrivateKeyKey }, "spec.oauth.clientCertificateSecretRef", revisions, cancellationToken).ConfigureAwait(false));
        var serviceAccountUid = serviceAccountToken is null
            ? null
            : await ServiceAccountOptIn.CheckAsync(serviceAccounts ?? throw new InvalidOperationException("a ServiceAccount token source is needed for serviceAccountToken"), workload, serviceAccountToken, cancellationToken).ConfigureAwait(false);
        return new CredentialInputs(clientSecret, inputRefreshToken, string.Join(',', revisions))
        {
            PrivateKey = privateKey,
            SubjectToken = subjectToken,
            ClientCertificate = clientCertificate,
            ServiceAccount = serviceAccountToken is null ? null : $"{serviceAccountToken.Name}/{serviceAccountUid}",
        };
    }

    /// <summary>The credentials version of <paramref name="inputs"/>: a recreated ServiceAccount (a new uid) and a new client certificate are credentials changes too.</summary>
    public static string Version(CredentialInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var version = Version(inputs.InputRefreshToken, inputs.ClientSecret, inputs.PrivateKey);
        if (inputs.SubjectToken is not null)
        {
            version = $"{version}{VersionSeparator}st-{RefreshTokenStateStore.Fingerprint(inputs.SubjectToken)[..16]}";
        }

        if (inputs.ClientCertificate is { } certificate)
        {
            // Certificate and key together: a renewal (cert-manager's) changes both, a re-key with the same certificate changes one.
            version = $"{version}{VersionSeparator}tls-{RefreshTokenStateStore.Fingerprint(certificate.CertificateChain + "\n" + certificate.PrivateKey)[..16]}";
        }

        return inputs.ServiceAccount is null ? version : $"{version}{VersionSeparator}sa-{RefreshTokenStateStore.Fingerprint(inputs.ServiceAccount)[..16]}";
    }

    /// <summary>
    /// The credentials version: fingerprints of the input refresh token and the client secret, and of the private key
    /// when there is one (appended only then, so versions recorded before private keys existed stay equal).
    /// </summary>
    public static string Version(string? inputRefreshToken, string? clientSecret, string? privateKey = null) =>
        $"{(inputRefreshToken is null ? "none" : RefreshTokenStateStore.Fingerprint(inputRefreshToken))}{VersionSeparator}{(clientSecret is null ? "none" : RefreshTokenStateStore.Fingerprint(clientSecret)[..16])}"
        + (privateKey is null ? string.Empty : $"{VersionSeparator}{RefreshTokenStateStore.Fingerprint(privateKey)[..16]}");

    private async Task<string> ReadKeyAsync(SecretKeyReference reference, string field, SortedSet<string> revisions, CancellationToken cancellationToken)
    {
        var secret = await secrets.GetAsync(workload.Namespace, reference.Name, cancellationToken).ConfigureAwait(false)
            ?? throw new CredentialsUnavailableException(Reasons.SecretNotFound,
                $"{field}: Secret {workload.Namespace}/{reference.Name} not found; create it and the workload continues by itself");

        if (secret.Data is null || !secret.Data.TryGetValue(reference.Key, out var value) || value.Length == 0)
        {
            throw new CredentialsUnavailableException(Reasons.SecretKeyMissing,
                $"{field}: Secret {workload.Namespace}/{reference.Name} has no key \"{reference.Key}\"");
        }

        revisions.Add($"{reference.Name}@{secret.Metadata.ResourceVersion}");
        return Encoding.UTF8.GetString(value).Trim();
    }
}
