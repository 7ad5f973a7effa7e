using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>
/// The reconcile's rules, in the order they are decided: the spec must validate; a rotating refresh token serves one
/// workload; the referenced credentials must be readable (missing ones wait, refused ones fail); no foreign Secret may
/// stand under a name the operator writes. Reads come through <see cref="ISecretReader"/> and a credential reader only,
/// so the rules are table-tested without an API server.
/// </summary>
public static class ReconcileRules
{
    /// <summary>How often a workload waiting for a Secret is looked at even without a Secret event.</summary>
    public static readonly TimeSpan PendingRecheck = TimeSpan.FromMinutes(5);

    /// <summary>Decides what to do with <paramref name="workload"/>.</summary>
    /// <param name="workload">The workload, not being deleted.</param>
    /// <param name="others">Every workload the operator watches (the shared refresh-token rule looks at them).</param>
    /// <param name="validation">What counts as a valid spec.</param>
    /// <param name="readCredentials">Reads the referenced credential inputs; throws <see cref="CredentialsUnavailableException"/>.</param>
    /// <param name="secrets">Where the operator's own Secrets are looked up.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<ReconcileDecision> DecideAsync(
        RemoteWorkload workload,
        IEnumerable<RemoteWorkload> others,
        ValidationOptions validation,
        Func<CancellationToken, Task<CredentialInputs>> readCredentials,
        ISecretReader secrets,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(readCredentials);
        ArgumentNullException.ThrowIfNull(secrets);
        var problems = RemoteWorkloadValidator.Validate(workload, validation);
        if (problems.Count > 0)
        {
            var reason = problems.Any(p => p.Reason == Reasons.InvalidSpec) ? Reasons.InvalidSpec : Reasons.EndpointNotAllowed;
            return ReconcileDecision.Hold(Verdict(WorkloadPhase.Failed, reason, string.Join("; ", problems)));
        }

        if (await RefreshTokenHolderAsync(workload, others, secrets, cancellationToken).ConfigureAwait(false) is { } owner)
        {
            return ReconcileDecision.Hold(RefreshTokenInUse(workload, owner));
        }

        CredentialInputs inputs;
        try
        {
            inputs = await readCredentials(cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialsUnavailableException e)
        {
            var phase = MissingCredentialPhases.For(e.Reason);
            return ReconcileDecision.Hold(Verdict(phase, e.Reason, e.Message), phase == WorkloadPhase.Pending ? PendingRecheck : null);
        }

        var workloadRef = WorkloadReference.From(workload);
        var tokenSecretName = MonitorConfigBuilder.TokenSecretName(workload);
        var tokenSecret = await ReadOwnSecretAsync(secrets, workloadRef, tokenSecretName, cancellationToken).ConfigureAwait(false);
        var stateSecretName = RefreshTokenStateStore.SecretName(workloadRef.Name);
        var stateSecret = workload.Spec.OAuth.Grant == GrantTypes.RefreshToken
            ? await ReadOwnSecretAsync(secrets, workloadRef, stateSecretName, cancellationToken).ConfigureAwait(false)
            : OwnSecret.Absent;
        if (tokenSecret == OwnSecret.Foreign || stateSecret == OwnSecret.Foreign)
        {
            var (field, name) = tokenSecret == OwnSecret.Foreign ? ("spec.tokenSecret.name", tokenSecretName) : ("metadata.name", stateSecretName);
            return ReconcileDecision.Hold(Verdict(WorkloadPhase.Failed, Reasons.SecretConflict,
                $"{field}: Secret {workloadRef.Namespace}/{name} exists and is not managed by remoteworkload-operator; delete it or choose another name"));
        }

        return ReconcileDecision.Run(inputs, tokenSecret == OwnSecret.Ours);
    }

    /// <summary>The verdict on a workload whose refresh-token key <paramref name="holder"/> holds.</summary>
    public static MonitorStatus RefreshTokenInUse(RemoteWorkload workload, string holder)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var reference = workload.Spec.OAuth.RefreshTokenSecretRef!;
        return Verdict(WorkloadPhase.Failed, Reasons.RefreshTokenInUse,
            $"spec.oauth.refreshTokenSecretRef: key \"{reference.Key}\" of Secret {workload.Metadata.NamespaceProperty}/{reference.Name} is already used by RemoteWorkload {holder}; a rotating refresh token can serve one workload only (the IdP revokes both on reuse): give this workload its own");
    }

    /// <summary>The verdict for a workload whose refresh-token key holds a token another workload already rotated.</summary>
    public static MonitorStatus RefreshTokenRotatedElsewhere(RemoteWorkload workload, string rotatedBy)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var reference = workload.Spec.OAuth.RefreshTokenSecretRef!;
        return Verdict(WorkloadPhase.Failed, Reasons.RefreshTokenInUse,
            $"spec.oauth.refreshTokenSecretRef: the refresh token in key \"{reference.Key}\" of Secret {workload.Metadata.NamespaceProperty}/{reference.Name} was already rotated by RemoteWorkload {rotatedBy} (its successor is in {WorkloadSecretNames.State(rotatedBy)}), so sending it again would make the IdP revoke the grant: put a fresh refresh token into the key for this workload");
    }

    /// <summary>Whether <paramref name="other"/> is a live RefreshToken workload on the same Secret key as <paramref name="workload"/>.</summary>
    public static bool SharesRefreshToken(RemoteWorkload workload, RemoteWorkload other)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(other);
        return workload.Spec?.OAuth?.Grant == GrantTypes.RefreshToken && workload.Spec.OAuth.RefreshTokenSecretRef is { } mine
            && other.Metadata.NamespaceProperty == workload.Metadata.NamespaceProperty
            && other.Metadata.DeletionTimestamp is null
            && other.Spec?.OAuth?.Grant == GrantTypes.RefreshToken
            && other.Spec.OAuth.RefreshTokenSecretRef is { } theirs && theirs.Name == mine.Name && theirs.Key == mine.Key;
    }

    /// <summary>
    /// The workload that holds <paramref name="workload"/>'s refresh-token Secret key, if another one does. The claim
    /// (<see cref="RefreshTokenClaims"/>) decides while its holder lives and uses the key. Without one (before anyone
    /// claimed it, or after an upgrade) the one that has been using it keeps it (it has a token); among the rest the
    /// earliest created, then by name, so the verdict is the same on every replica. The reconcile then claims it
    /// atomically, which settles a race this cached view cannot see.
    /// </summary>
    private static async Task<string?> RefreshTokenHolderAsync(RemoteWorkload workload, IEnumerable<RemoteWorkload> others, ISecretReader secrets, CancellationToken cancellationToken)
    {
        if (workload.Spec.OAuth.Grant != GrantTypes.RefreshToken || workload.Spec.OAuth.RefreshTokenSecretRef is not { } mine)
        {
            return null;
        }

        var sharing = others.Where(other => other.Metadata.Uid != workload.Metadata.Uid && SharesRefreshToken(workload, other)).ToList();
        var claim = await secrets.GetAsync(workload.Metadata.NamespaceProperty, RefreshTokenClaims.SecretName(mine), cancellationToken).ConfigureAwait(false);
        if (RefreshTokenClaims.HolderOf(claim) is { } holder)
        {
            if (holder.Uid == workload.Metadata.Uid)
            {
                return null;
            }

            if (sharing.FirstOrDefault(other => other.Metadata.Uid == holder.Uid) is { } claimed)
            {
                return claimed.Metadata.Name;
            }
        }

        var owner = sharing
            .Append(workload)
            .OrderBy(other => other.Status?.Token is null ? 1 : 0)
            .ThenBy(other => other.Metadata.CreationTimestamp ?? DateTime.MaxValue)
            .ThenBy(other => other.Metadata.Name, StringComparer.Ordinal)
            .First();
        return owner.Metadata.Uid == workload.Metadata.Uid ? null : owner.Metadata.Name;
    }

    private static async Task<OwnSecret> ReadOwnSecretAsync(ISecretReader secrets, WorkloadReference workload, string name, CancellationToken cancellationToken)
    {
        // From the cache: a Secret created a moment ago may be missing here, but the writers check again (a create
        // fails when it exists, and a foreign one is refused), so a stale answer never makes a wrong write.
        var secret = await secrets.GetAsync(workload.Namespace, name, cancellationToken).ConfigureAwait(false);
        return secret is null ? OwnSecret.Absent : ManagedSecrets.IsManagedFor(secret, workload.Name) ? OwnSecret.Ours : OwnSecret.Foreign;
    }

    /// <summary>The reconcile's verdict on a workload that cannot run: no token, no retry window.</summary>
    private static MonitorStatus Verdict(WorkloadPhase phase, string reason, string message) => new() { Phase = phase, Reason = reason, Message = message };

    /// <summary>What stands under a name the operator writes to.</summary>
    private enum OwnSecret
    {
        Absent,
        Ours,
        Foreign,
    }
}
