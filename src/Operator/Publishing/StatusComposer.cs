using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Publishing;

/// <summary>
/// Builds the desired status from facts, as a pure function of (previous status, facts, time):
/// conditions keep their lastTransitionTime unless their status flips, and the AuthRetrying
/// condition turning True takes <c>authRetry.startedAt</c> as its transition time, so the two
/// always agree. Times are whole seconds, like every Kubernetes timestamp.
/// </summary>
public static class StatusComposer
{
    public static RemoteWorkloadStatus Compose(
        RemoteWorkloadStatus? previous,
        WorkloadFacts facts,
        long? generation,
        string? lastHandledRetryRequest,
        DateTimeOffset now,
        string? credentialsRevision = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var nowSeconds = Truncate(now.UtcDateTime);
        var running = facts.Phase == WorkloadPhase.Running;
        var retrying = facts.Phase == WorkloadPhase.AuthRetrying;
        var retryStart = facts.AuthRetry?.StartedAt is { } started ? Truncate(started) : nowSeconds;

        var ready = Condition(previous, ConditionTypes.Ready, running, facts.Reason, facts.Message, generation, nowSeconds);
        var authRetrying = Condition(
            previous,
            ConditionTypes.AuthRetrying,
            retrying,
            retrying ? Reasons.TransientFailure : facts.Reason,
            retrying ? facts.RetryingMessage ?? facts.Message : facts.Message,
            generation,
            retrying ? retryStart : nowSeconds);

        var conditions = new List<V1Condition> { ready, authRetrying };
        if (RefreshTokenCondition(previous, facts, generation, now, nowSeconds) is { } refreshToken)
        {
            conditions.Add(refreshToken);
        }

        return new RemoteWorkloadStatus
        {
            Phase = facts.Phase,
            ObservedGeneration = generation,
            Reason = facts.Reason,
            Message = facts.Message,
            Conditions = conditions,
            Token = facts.Token is null ? null : new TokenStatus
            {
                SecretName = facts.Token.SecretName,
                ExpiresAt = TruncateOrNull(facts.Token.ExpiresAt),
                RefreshTokenExpiresAt = TruncateOrNull(facts.Token.RefreshTokenExpiresAt),
                LastRefreshTime = TruncateOrNull(facts.Token.LastRefreshTime),
                NextRefreshTime = TruncateOrNull(facts.Token.NextRefreshTime),
            },
            AuthRetry = facts.AuthRetry is null ? null : new AuthRetryStatus
            {
                StartedAt = TruncateOrNull(facts.AuthRetry.StartedAt),
                Deadline = TruncateOrNull(facts.AuthRetry.Deadline),
                Attempts = facts.AuthRetry.Attempts,
                LastAttemptTime = TruncateOrNull(facts.AuthRetry.LastAttemptTime),
                NextAttemptTime = TruncateOrNull(facts.AuthRetry.NextAttemptTime),
                LastError = facts.AuthRetry.LastError,
            },
            AuthorizationServer = facts.AuthorizationServer is { } server
                ? new DiscoveredAuthorizationServer { Issuer = server.Issuer, TokenEndpoint = server.TokenEndpoint }
                : null,
            LastHandledRetryRequest = lastHandledRetryRequest,
            ObservedCredentialsRevision = credentialsRevision,
        };
    }

    /// <summary>True when writing <paramref name="desired"/> over <paramref name="current"/> would change nothing.</summary>
    public static bool SameAs(RemoteWorkloadStatus? current, RemoteWorkloadStatus desired) =>
        current is not null
        && JsonNode.DeepEquals(JsonNode.Parse(KubernetesJson.Serialize(current)), JsonNode.Parse(KubernetesJson.Serialize(desired)));

    // Only when the IdP stated the refresh token's lifetime; see RefreshTokenExpiry for when it warns.
    private static V1Condition? RefreshTokenCondition(RemoteWorkloadStatus? previous, WorkloadFacts facts, long? generation, DateTimeOffset now, DateTime nowSeconds)
    {
        var before = previous?.Token;
        var previousExpiring = previous?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.RefreshTokenExpiring)?.Status == "True";
        var assessment = RefreshTokenExpiry.Assess(
            ToOffset(facts.Token?.RefreshTokenExpiresAt),
            ToOffset(facts.Token?.LastRefreshTime),
            ToOffset(facts.Token?.NextRefreshTime),
            ToOffset(before?.RefreshTokenExpiresAt),
            ToOffset(before?.LastRefreshTime),
            previousExpiring,
            now);
        return assessment is null
            ? null
            : Condition(
                previous,
                ConditionTypes.RefreshTokenExpiring,
                assessment.Expiring,
                assessment.Expiring ? Reasons.RefreshTokenExpiring : Reasons.RefreshTokenValid,
                assessment.Message,
                generation,
                nowSeconds);
    }

    private static DateTimeOffset? ToOffset(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc)) : null;

    private static V1Condition Condition(RemoteWorkloadStatus? previous, string type, bool isTrue, string reason, string message, long? generation, DateTime transitionIfChanged)
    {
        var status = isTrue ? "True" : "False";
        var before = previous?.Conditions?.FirstOrDefault(c => c.Type == type);
        return new V1Condition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            ObservedGeneration = generation,
            LastTransitionTime = before is not null && before.Status == status && before.LastTransitionTime is { } kept
                ? Truncate(kept.ToUniversalTime())
                : transitionIfChanged,
        };
    }

    private static DateTime? TruncateOrNull(DateTime? value) => value is { } v ? Truncate(v.ToUniversalTime()) : null;

    private static DateTime Truncate(DateTime value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
}
