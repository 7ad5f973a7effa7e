using k8s;
using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Hosting;
using RemoteWorkloadOperator.Publishing;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>
/// The thin, level-triggered reconcile: validate, resolve the referenced Secrets, and tell the
/// workload's agent which monitor should run. It never calls the IdP. Everything it concludes
/// about a workload that cannot run (Failed, Pending) goes through the agent's status writer.
/// </summary>
public sealed partial class WorkloadReconciler(
    Func<string, RemoteWorkload?> lookup,
    Func<IEnumerable<RemoteWorkload>> workloads,
    MonitorRegistry registry,
    IKubernetes client,
    ISecretReader secrets,
    OperatorOptions options,
    TokenMonitorFactory monitorFactory,
    ILogger logger)
{
    /// <summary>How often a workload waiting for a Secret is looked at even without a Secret event.</summary>
    private static readonly TimeSpan PendingRecheck = TimeSpan.FromMinutes(5);

    private readonly RefreshTokenStateStore _state = new(client, secrets);
    private readonly TokenSecretWriter _tokenSecrets = new(client, secrets);
    private readonly KubernetesServiceAccountTokens _serviceAccounts = new(client);

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var workload = lookup(key);
        if (workload is null || workload.Metadata.DeletionTimestamp is not null)
        {
            await registry.RemoveAsync(key).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        var agent = registry.GetOrCreate(workload);
        var generation = workload.Metadata.Generation;
        var problems = RemoteWorkloadValidator.Validate(workload, options.Validation);
        if (problems.Count > 0)
        {
            var reason = problems.Any(p => p.Reason == Reasons.InvalidSpec) ? Reasons.InvalidSpec : Reasons.EndpointNotAllowed;
            var message = string.Join("; ", problems);
            LogInvalid(logger, key, message);
            await agent.HoldAsync(Verdict(WorkloadPhase.Failed, reason, message), generation, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        if (RefreshTokenOwner(workload) is { } owner)
        {
            var reference = workload.Spec.OAuth.RefreshTokenSecretRef!;
            await agent.HoldAsync(
                Verdict(WorkloadPhase.Failed, Reasons.RefreshTokenInUse,
                    $"spec.oauth.refreshTokenSecretRef: key \"{reference.Key}\" of Secret {workload.Metadata.NamespaceProperty}/{reference.Name} is already used by RemoteWorkload {owner}; a rotating refresh token can serve one workload only (the IdP revokes both on reuse): give this workload its own"),
                generation,
                cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        var workloadRef = WorkloadReference.From(workload);
        var credentials = new KubernetesCredentialsSource(secrets, _state, workloadRef, workload.Spec.OAuth.ClientSecretRef, workload.Spec.OAuth.RefreshTokenSecretRef, workload.Spec.OAuth.PrivateKeySecretRef,
            workload.Spec.OAuth.ServiceAccountToken, _serviceAccounts, workload.Spec.OAuth.TokenExchange?.SubjectTokenSecretRef,
            serviceAccountTokenIsSubject: workload.Spec.OAuth.Grant == GrantTypes.TokenExchange && workload.Spec.OAuth.TokenExchange?.SubjectTokenSecretRef is null,
            clientCertificateSecretRef: workload.Spec.OAuth.ClientCertificateSecretRef);
        CredentialInputs inputs;
        try
        {
            inputs = await credentials.ReadInputsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialsUnavailableException e)
        {
            var phase = MissingCredentialPhases.For(e.Reason);
            await agent.HoldAsync(Verdict(phase, e.Reason, e.Message), generation, cancellationToken).ConfigureAwait(false);
            return phase == WorkloadPhase.Pending ? ReconcileResult.After(PendingRecheck) : ReconcileResult.Done;
        }

        var tokenSecretName = MonitorConfigBuilder.TokenSecretName(workload);
        var tokenSecret = await ReadOwnSecretAsync(workloadRef, tokenSecretName, cancellationToken).ConfigureAwait(false);
        var stateSecret = workload.Spec.OAuth.Grant == GrantTypes.RefreshToken
            ? await ReadOwnSecretAsync(workloadRef, RefreshTokenStateStore.SecretName(workloadRef.Name), cancellationToken).ConfigureAwait(false)
            : OwnSecret.Absent;
        if (tokenSecret == OwnSecret.Foreign || stateSecret == OwnSecret.Foreign)
        {
            var (field, name) = tokenSecret == OwnSecret.Foreign
                ? ("spec.tokenSecret.name", tokenSecretName)
                : ("metadata.name", RefreshTokenStateStore.SecretName(workloadRef.Name));
            await agent.HoldAsync(
                Verdict(WorkloadPhase.Failed, Reasons.SecretConflict,
                    $"{field}: Secret {workloadRef.Namespace}/{name} exists and is not managed by remoteworkload-operator; delete it or choose another name"),
                generation,
                cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        var publisher = agent.TokenPublisher is { } current && current.SecretName == tokenSecretName && agent.IsMonitoring
            ? current
            : new KubernetesTokenPublisher(_tokenSecrets, workloadRef, tokenSecretName, MonitorConfigBuilder.TokenSecretOwned(workload));
        var desired = new DesiredMonitor(
            MonitorConfigBuilder.Build(workload, options.Retry, options.StartupSpread),
            generation,
            KubernetesCredentialsSource.Version(inputs),
            inputs.Revision,
            MonitorConfigBuilder.RequestIdentity(workload),
            workload.Metadata.Annotations is { } annotations && annotations.TryGetValue(WorkloadAnnotations.RetryRequestedAt, out var request) ? request : null,
            tokenSecret == OwnSecret.Ours,
            registry.RefreshTokenFence,
            publisher,
            new TokenMonitorPorts(credentials, new KubernetesRotatedTokenSink(_state, workloadRef), publisher, agent.Status),
            ClientCertificateValidity.Of(inputs.ClientCertificate, workload.Spec.OAuth.ClientCertificateRenewBefore?.Value ?? OAuthSpec.DefaultClientCertificateRenewBefore));
        await agent.EnsureAsync(desired, monitorFactory, cancellationToken).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    /// <summary>
    /// The workload that already uses <paramref name="workload"/>'s refresh-token Secret key, if any. The one that has
    /// been using it keeps it (it has a token); among the rest the earliest created, then by name, so the verdict is the
    /// same on every replica and after every restart.
    /// </summary>
    private string? RefreshTokenOwner(RemoteWorkload workload)
    {
        if (workload.Spec.OAuth.Grant != GrantTypes.RefreshToken || workload.Spec.OAuth.RefreshTokenSecretRef is not { } mine)
        {
            return null;
        }

        var owner = workloads()
            .Where(other => other.Metadata.Uid == workload.Metadata.Uid
                || (other.Metadata.NamespaceProperty == workload.Metadata.NamespaceProperty
                    && other.Metadata.DeletionTimestamp is null
                    && other.Spec?.OAuth?.Grant == GrantTypes.RefreshToken
                    && other.Spec.OAuth.RefreshTokenSecretRef is { } theirs && theirs.Name == mine.Name && theirs.Key == mine.Key))
            .Append(workload)
            .OrderBy(other => other.Status?.Token is null ? 1 : 0)
            .ThenBy(other => other.Metadata.CreationTimestamp ?? DateTime.MaxValue)
            .ThenBy(other => other.Metadata.Name, StringComparer.Ordinal)
            .First();
        return owner.Metadata.Uid == workload.Metadata.Uid ? null : owner.Metadata.Name;
    }

    private async Task<OwnSecret> ReadOwnSecretAsync(WorkloadReference workload, string name, CancellationToken cancellationToken)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "workload {Key} is invalid: {Problems}")]
    private static partial void LogInvalid(ILogger logger, string key, string problems);
}
