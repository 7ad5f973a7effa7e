using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Publishing;

/// <summary>
/// What is true of a workload right now, as the monitor or the reconciler sees it; the
/// <see cref="StatusComposer"/> turns it into a Kubernetes status with conditions.
/// </summary>
/// <param name="Phase">The phase.</param>
/// <param name="Reason">CamelCase reason, mirrored by the Ready condition.</param>
/// <param name="Message">Human-readable; never a token or secret.</param>
/// <param name="Token">Facts about the published token, when there is one.</param>
/// <param name="AuthRetry">AuthRetrying bookkeeping, when retrying or after a give-up.</param>
/// <param name="RetryingMessage">The AuthRetrying condition's message while retrying ("retrying every 10m until …").</param>
/// <param name="AuthorizationServer">What discovery found, when the token came through discovery.</param>
public sealed record WorkloadFacts(
    WorkloadPhase Phase,
    string Reason,
    string Message,
    TokenStatus? Token = null,
    AuthRetryStatus? AuthRetry = null,
    string? RetryingMessage = null,
    DiscoveredAuthorizationServer? AuthorizationServer = null);
