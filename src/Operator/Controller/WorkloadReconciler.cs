using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
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
    MonitorRegistry registry,
    IKubernetes client,
    OperatorOptions options,
    MonitorFactory monitorFactory,
    ILogger logger)
{
    /// <summary>How often a workload waiting for a Secret is looked at even without a Secret event.</summary>
    private static readonly TimeSpan PendingRecheck = TimeSpan.FromMinutes(5);

    private readonly RefreshTokenStateStore _state = new(client);
    private readonly TokenSecretWriter _tokenSecrets = new(client);

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
            await agent.HoldAsync(new WorkloadFacts(WorkloadPhase.Failed, reason, message), generation, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        var reference = WorkloadReference.From(workload);
        var credentials = new KubernetesCredentialsSource(client, _state, reference, workload.Spec.OAuth.ClientSecretRef, workload.Spec.OAuth.RefreshTokenSecretRef);
        string version;
        try
        {
            var (clientSecret, inputRefreshToken) = await credentials.ReadInputsAsync(cancellationToken).ConfigureAwait(false);
            version = KubernetesCredentialsSource.Version(inputRefreshToken, clientSecret);
        }
        catch (CredentialsUnavailableException e)
        {
            var phase = e.Reason == Reasons.SecretNotFound ? WorkloadPhase.Pending : WorkloadPhase.Failed;
            await agent.HoldAsync(new WorkloadFacts(phase, e.Reason, e.Message), generation, cancellationToken).ConfigureAwait(false);
            return phase == WorkloadPhase.Pending ? ReconcileResult.After(PendingRecheck) : ReconcileResult.Done;
        }

        var tokenSecretName = MonitorConfigBuilder.TokenSecretName(workload);
        if (await IsForeignSecretAsync(reference, tokenSecretName, cancellationToken).ConfigureAwait(false))
        {
            await agent.HoldAsync(
                new WorkloadFacts(WorkloadPhase.Failed, Reasons.SecretConflict,
                    $"spec.tokenSecret.name: Secret {reference.Namespace}/{tokenSecretName} exists and is not managed by remoteworkload-operator; delete it or choose another name"),
                generation,
                cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        var publisher = agent.TokenPublisher is { } current && current.SecretName == tokenSecretName && agent.IsMonitoring
            ? current
            : new KubernetesTokenPublisher(_tokenSecrets, reference, tokenSecretName, MonitorConfigBuilder.TokenSecretOwned(workload));
        var desired = new DesiredMonitor(
            MonitorConfigBuilder.Build(workload, options.Retry, options.StartupSpread),
            generation,
            version,
            workload.Metadata.Annotations is { } annotations && annotations.TryGetValue(WorkloadAnnotations.RetryRequestedAt, out var request) ? request : null,
            publisher,
            new MonitorPorts(credentials, new KubernetesRotatedTokenSink(_state, reference), publisher, agent.Status));
        await agent.EnsureAsync(desired, monitorFactory, cancellationToken).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    private async Task<bool> IsForeignSecretAsync(WorkloadReference workload, string name, CancellationToken cancellationToken)
    {
        try
        {
            var secret = await client.CoreV1.ReadNamespacedSecretAsync(name, workload.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return !ManagedSecrets.IsManagedFor(secret, workload.Name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "workload {Key} is invalid: {Problems}")]
    private static partial void LogInvalid(ILogger logger, string key, string problems);
}
