using k8s;
using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Hosting;
using RemoteWorkloadOperator.Runtime;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>
/// The thin, level-triggered reconcile: decide (<see cref="ReconcileRules"/>), then either hold the workload with the
/// verdict or tell its agent which monitor should run. It never calls the IdP. Everything it concludes about a workload
/// that cannot run (Failed, Pending) goes through the agent's status writer.
/// </summary>
public sealed partial class WorkloadReconciler(
    Func<string, RemoteWorkload?> lookup,
    Func<IEnumerable<RemoteWorkload>> workloads,
    MonitorRegistry registry,
    IKubernetes client,
    ISecretReader secrets,
    OperatorOptions options,
    TokenMonitorFactory monitorFactory,
    TimeProvider time,
    ILogger logger)
{
    private readonly RefreshTokenStateStore _state = new(client, secrets);
    private readonly RefreshTokenClaims _claims = new(client, secrets);
    private readonly TokenSecretWriter _tokenSecrets = new(client, secrets);
    private readonly KubernetesServiceAccountTokens _serviceAccounts = new(client);

    /// <summary>The lifetime of the state Secrets (the controller sweeps with it).</summary>
    public StateSecretRetention Retention { get; } = new(new RefreshTokenStateStore(client, secrets), options.StateSecretRetention, time, logger);

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var workload = lookup(key);
        if (workload is null || workload.Metadata.DeletionTimestamp is not null)
        {
            // Not awaited: the monitor's request in flight finishes off this worker.
            _ = registry.RemoveAsync(key);
            await Retention.ReleaseAsync(key, workload?.Metadata.Uid, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        if (registry.GetOrCreate(workload) is not { } agent)
        {
            // An agent of an older object of this name is still stopping; the key is queued again once it has.
            return ReconcileResult.Done;
        }

        var generation = workload.Metadata.Generation;
        var workloadRef = WorkloadReference.From(workload);
        var credentials = CredentialsOf(workload, workloadRef);
        var decision = await ReconcileRules.DecideAsync(workload, workloads(), options.Validation, credentials.ReadInputsAsync, secrets, cancellationToken).ConfigureAwait(false);
        if (decision.Verdict is { } verdict)
        {
            if (verdict.Reason is Reasons.InvalidSpec or Reasons.EndpointNotAllowed)
            {
                LogInvalid(logger, key, verdict.Message);
            }

            await agent.HoldAsync(verdict, generation, cancellationToken).ConfigureAwait(false);
            return decision.Recheck is { } recheck ? ReconcileResult.After(recheck) : ReconcileResult.Done;
        }

        var inputs = decision.Inputs!;
        if (workload.Spec.OAuth.Grant == GrantTypes.RefreshToken && workload.Spec.OAuth.RefreshTokenSecretRef is { } refreshToken)
        {
            // The rules judged from the cache; the claim is made once, atomically, before the monitor may send the token.
            if (await ClaimRefreshTokenAsync(workload, workloadRef, refreshToken, cancellationToken).ConfigureAwait(false) is { } lost)
            {
                await agent.HoldAsync(lost, generation, cancellationToken).ConfigureAwait(false);
                return ReconcileResult.Done;
            }

            // A state Secret left by a workload of the same name (deleted and applied again, restored) serves this one now.
            await _state.AdoptAsync(workloadRef, cancellationToken).ConfigureAwait(false);
        }

        var tokenSecretName = MonitorConfigBuilder.TokenSecretName(workload);
        var owned = MonitorConfigBuilder.TokenSecretOwned(workload);
        var publisher = agent.TokenPublisher is { } current && current.SecretName == tokenSecretName && current.Owned == owned && agent.IsMonitoring
            ? current
            : new KubernetesTokenPublisher(_tokenSecrets, workloadRef, tokenSecretName, owned);
        var desired = new DesiredMonitor(
            MonitorConfigBuilder.Build(workload, options.Retry, options.MonitorTiming),
            generation,
            KubernetesCredentialsSource.Version(inputs),
            inputs.Revision,
            MonitorConfigBuilder.RequestIdentity(workload),
            workload.Metadata.Annotations is { } annotations && annotations.TryGetValue(WorkloadAnnotations.RetryRequestedAt, out var request) ? request : null,
            decision.TokenSecretPresent,
            registry.RefreshTokenFence,
            publisher,
            new TokenMonitorPorts(credentials, new KubernetesRotatedTokenSink(_state, workloadRef), publisher, agent.Status),
            ClientCertificateValidity.Of(inputs.ClientCertificate, workload.Spec.OAuth.ClientCertificateRenewBefore?.Value ?? OAuthSpec.DefaultClientCertificateRenewBefore));
        await agent.EnsureAsync(desired, monitorFactory, cancellationToken).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    /// <summary>Claims the refresh-token key for <paramref name="workload"/>; the verdict when it cannot have it.</summary>
    private async Task<MonitorStatus?> ClaimRefreshTokenAsync(RemoteWorkload workload, WorkloadReference workloadRef, SecretKeyReference refreshToken, CancellationToken cancellationToken)
    {
        try
        {
            var input = await secrets.GetAsync(workloadRef.Namespace, refreshToken.Name, cancellationToken).ConfigureAwait(false);
            var inputFingerprint = input?.Data?.TryGetValue(refreshToken.Key, out var token) == true
                ? RefreshTokenStateStore.Fingerprint(System.Text.Encoding.UTF8.GetString(token))
                : "";
            var refusal = await _claims.ClaimAsync(workloadRef, refreshToken, inputFingerprint, (h, ct) => HolderUsesKeyAsync(workload, h, ct), cancellationToken).ConfigureAwait(false);
            return refusal switch
            {
                null => null,
                { Rotated: true } => ReconcileRules.RefreshTokenRotatedElsewhere(workload, refusal.Holder),
                _ => ReconcileRules.RefreshTokenInUse(workload, refusal.Holder),
            };
        }
        catch (SecretConflictException e)
        {
            return new MonitorStatus
            {
                Phase = WorkloadPhase.Failed,
                Reason = Reasons.SecretConflict,
                Message = $"Secret {workloadRef.Namespace}/{e.SecretName} (where the operator records which workload uses refresh token {refreshToken.Name}/{refreshToken.Key}) exists and is not managed by remoteworkload-operator; delete it",
            };
        }
    }

    /// <summary>Whether the workload a claim names still exists under that uid and uses <paramref name="workload"/>'s key.</summary>
    private async Task<bool> HolderUsesKeyAsync(RemoteWorkload workload, WorkloadReference holder, CancellationToken cancellationToken)
    {
        var other = lookup(holder.Key);
        if (other?.Metadata.Uid != holder.Uid)
        {
            // The cache may not have seen a holder created a moment ago: taking its claim over would let both send the token.
            other = await KubernetesCalls.ReadOrNullAsync(() => client.CustomObjects.GetNamespacedCustomObjectAsync<RemoteWorkload>(
                WorkloadApi.Group, WorkloadApi.Version, holder.Namespace, WorkloadApi.Plural, holder.Name, cancellationToken)).ConfigureAwait(false);
        }

        return other is not null && other.Metadata.Uid == holder.Uid && ReconcileRules.SharesRefreshToken(workload, other);
    }

    private KubernetesCredentialsSource CredentialsOf(RemoteWorkload workload, WorkloadReference workloadRef)
    {
        var oauth = workload.Spec.OAuth;
        return new KubernetesCredentialsSource(secrets, _state, workloadRef, oauth.ClientSecretRef, oauth.RefreshTokenSecretRef, oauth.PrivateKeySecretRef,
            oauth.ServiceAccountToken, _serviceAccounts, oauth.TokenExchange?.SubjectTokenSecretRef,
            serviceAccountTokenIsSubject: oauth.Grant == GrantTypes.TokenExchange && oauth.TokenExchange?.SubjectTokenSecretRef is null,
            clientCertificateSecretRef: oauth.ClientCertificateSecretRef);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "workload {Key} is invalid: {Problems}")]
    private static partial void LogInvalid(ILogger logger, string key, string problems);
}
