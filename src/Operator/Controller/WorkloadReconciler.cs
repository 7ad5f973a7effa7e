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
    private readonly TokenSecretWriter _tokenSecrets = new(client, secrets);
    private readonly KubernetesServiceAccountTokens _serviceAccounts = new(client);

    /// <summary>The lifetime of the state Secrets (the controller sweeps with it).</summary>
    public StateSecretRetention Retention { get; } = new(new RefreshTokenStateStore(client, secrets), options.StateSecretRetention, time, logger);

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var workload = lookup(key);
        if (workload is null || workload.Metadata.DeletionTimestamp is not null)
        {
            await registry.RemoveAsync(key).ConfigureAwait(false);
            await Retention.ReleaseAsync(key, workload?.Metadata.Uid, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        var agent = registry.GetOrCreate(workload);
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
        if (workload.Spec.OAuth.Grant == GrantTypes.RefreshToken)
        {
            // A state Secret left by a workload of the same name (deleted and applied again, restored) serves this one now.
            await _state.AdoptAsync(workloadRef, cancellationToken).ConfigureAwait(false);
        }

        var tokenSecretName = MonitorConfigBuilder.TokenSecretName(workload);
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
            decision.TokenSecretPresent,
            registry.RefreshTokenFence,
            publisher,
            new TokenMonitorPorts(credentials, new KubernetesRotatedTokenSink(_state, workloadRef), publisher, agent.Status),
            ClientCertificateValidity.Of(inputs.ClientCertificate, workload.Spec.OAuth.ClientCertificateRenewBefore?.Value ?? OAuthSpec.DefaultClientCertificateRenewBefore));
        await agent.EnsureAsync(desired, monitorFactory, cancellationToken).ConfigureAwait(false);
        return ReconcileResult.Done;
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
