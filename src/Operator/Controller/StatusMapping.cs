using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>
/// The one mapping between the state record (<see cref="MonitorStatus"/>) and the API's <see cref="RemoteWorkloadStatus"/>,
/// both ways, and the only place conditions are made. <see cref="ToWire"/> is a pure function of (previous status,
/// state, context, time): conditions keep their lastTransitionTime unless their status flips, and the AuthRetrying
/// condition turning True takes <c>authRetry.startedAt</c> as its transition time, so the two always agree. Times are
/// whole seconds, like every Kubernetes timestamp. <see cref="FromWire"/> reads a persisted status back, which is what
/// a monitor resumes from after a restart or a leader change.
/// </summary>
public static class StatusMapping
{
    /// <summary>The status that <paramref name="state"/> describes, composed against <paramref name="previous"/>.</summary>
    public static RemoteWorkloadStatus ToWire(RemoteWorkloadStatus? previous, MonitorStatus state, StatusContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        var generation = context.Generation;
        var nowSeconds = Truncate(now.UtcDateTime);
        var running = state.Phase == WorkloadPhase.Running;
        var retrying = state.Phase == WorkloadPhase.AuthRetrying;
        var retryStart = state.AuthRetry is { } started ? Truncate(started.StartedAt.UtcDateTime) : nowSeconds;
        var retryingMessage = retrying && state.AuthRetry is { } window && context.TickInterval is { } tick
            ? RetryMessages.RetryingUntil(tick, window.Deadline)
            : state.Message;

        var ready = Condition(previous, ConditionTypes.Ready, running, state.Reason, state.Message, generation, nowSeconds);
        var authRetrying = Condition(
            previous,
            ConditionTypes.AuthRetrying,
            retrying,
            retrying ? Reasons.TransientFailure : state.Reason,
            retryingMessage,
            generation,
            retrying ? retryStart : nowSeconds);

        var token = state.Token.ExpiresAt is null && state.Token.LastRefreshTime is null
            ? null
            : new TokenStatus
            {
                SecretName = context.TokenSecretName ?? previous?.Token?.SecretName,
                ExpiresAt = TruncateOrNull(state.Token.ExpiresAt),
                RefreshTokenExpiresAt = TruncateOrNull(state.Token.RefreshTokenExpiresAt),
                ExpirySource = state.Token.ExpirySource,
                LastRefreshTime = TruncateOrNull(state.Token.LastRefreshTime),
                NextRefreshTime = TruncateOrNull(state.Token.NextRefreshTime),
            };
        var conditions = new List<V1Condition> { ready, authRetrying };
        if (RefreshTokenCondition(previous, token, generation, now, nowSeconds) is { } refreshToken)
        {
            conditions.Add(refreshToken);
        }

        if (context.ClientCertificate is { } certificate)
        {
            conditions.Add(ClientCertificateCondition(previous, certificate, generation, now, nowSeconds));
        }

        if (state.ShortTokenLifetime is { } lifetime)
        {
            conditions.Add(Condition(previous, ConditionTypes.ShortTokenLifetime, true, Reasons.ShortTokenLifetime, RetryMessages.ShortTokenLifetime(lifetime), generation, nowSeconds));
        }

        if (state.RotationUnstoredAt is { } unstoredAt)
        {
            // Present only while it is news: the next grant clears it, and with it the condition.
            conditions.Add(Condition(previous, ConditionTypes.RotationUnstored, true, Reasons.RotationUnstored, RetryMessages.RotationUnstored, generation, Truncate(unstoredAt.UtcDateTime)));
        }

        return new RemoteWorkloadStatus
        {
            Phase = state.Phase,
            ObservedGeneration = generation,
            Reason = state.Reason,
            Message = state.Message,
            Conditions = conditions,
            Token = token,
            AuthRetry = state.AuthRetry is not { } retry ? null : new AuthRetryStatus
            {
                StartedAt = TruncateOrNull(retry.StartedAt),
                Deadline = TruncateOrNull(retry.Deadline),
                Attempts = retry.Attempts,
                LastAttemptTime = TruncateOrNull(retry.LastAttemptTime),
                NextAttemptTime = TruncateOrNull(retry.NextAttemptTime),
                NextProbeTime = TruncateOrNull(retry.NextProbeTime),
                LastError = retry.LastError,
            },
            AuthorizationServer = state.DiscoveredIssuer is { } issuer
                ? new DiscoveredAuthorizationServer { Issuer = issuer, TokenEndpoint = state.DiscoveredTokenEndpoint?.AbsoluteUri }
                : null,
            LastHandledRetryRequest = context.LastHandledRetryRequest,
            ObservedCredentialsRevision = context.CredentialsRevision,
        };
    }

    /// <summary>The state a persisted status describes; null for a workload without a phase (nothing to resume).</summary>
    public static MonitorStatus? FromWire(RemoteWorkloadStatus? status)
    {
        if (status?.Phase is not { } phase)
        {
            return null;
        }

        var retry = status.AuthRetry;
        return new MonitorStatus
        {
            Phase = phase,
            Reason = status.Reason ?? Reasons.Pending,
            Message = status.Message ?? string.Empty,
            Token = new TokenTimes(Utc(status.Token?.ExpiresAt), Utc(status.Token?.LastRefreshTime), Utc(status.Token?.NextRefreshTime))
            {
                RefreshTokenExpiresAt = Utc(status.Token?.RefreshTokenExpiresAt),
                ExpirySource = status.Token?.ExpirySource,
            },
            // The window is its start: a status whose deadline went missing resumes with the start kept (the engine
            // recomputes the deadline from it and the ceiling, and writes it back), never with the ceiling reset.
            AuthRetry = Utc(retry?.StartedAt) is { } startedAt
                ? new AuthRetryInfo(startedAt, Utc(retry!.Deadline) ?? startedAt, retry.Attempts ?? 0, Utc(retry.LastAttemptTime), Utc(retry.NextAttemptTime), retry.LastError) { NextProbeTime = Utc(retry.NextProbeTime) }
                : null,
            DiscoveredIssuer = status.AuthorizationServer?.Issuer,
            DiscoveredTokenEndpoint = Uri.TryCreate(status.AuthorizationServer?.TokenEndpoint, UriKind.Absolute, out var endpoint) ? endpoint : null,
            // The lifetime is the token's own (expiry - issue): the next grant recomputes it exactly.
            ShortTokenLifetime = status.Conditions?.Any(c => c.Type == ConditionTypes.ShortTokenLifetime && c.Status == "True") == true
                && Utc(status.Token?.ExpiresAt) is { } expiresAt && Utc(status.Token?.LastRefreshTime) is { } issuedAt
                ? expiresAt - issuedAt
                : null,
            RotationUnstoredAt = status.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.RotationUnstored && c.Status == "True") is { } unstored
                ? Utc(unstored.LastTransitionTime) ?? DateTimeOffset.UnixEpoch
                : null,
        };
    }

    /// <summary>True when writing <paramref name="desired"/> over <paramref name="current"/> would change nothing.</summary>
    public static bool SameAs(RemoteWorkloadStatus? current, RemoteWorkloadStatus desired) =>
        current is not null
        && JsonNode.DeepEquals(JsonNode.Parse(KubernetesJson.Serialize(current)), JsonNode.Parse(KubernetesJson.Serialize(desired)));

    // Only when the IdP stated the refresh token's lifetime; see RefreshTokenExpiry for when it warns.
    private static V1Condition? RefreshTokenCondition(RemoteWorkloadStatus? previous, TokenStatus? token, long? generation, DateTimeOffset now, DateTime nowSeconds)
    {
        var before = previous?.Token;
        var previousExpiring = previous?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.RefreshTokenExpiring)?.Status == "True";
        var assessment = RefreshTokenExpiry.Assess(
            ToOffset(token?.RefreshTokenExpiresAt),
            ToOffset(token?.LastRefreshTime),
            ToOffset(token?.NextRefreshTime),
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

    // Only with a mutual-TLS method; evaluated at every status write (every token refresh writes one).
    private static V1Condition ClientCertificateCondition(RemoteWorkloadStatus? previous, ClientCertificateValidity certificate, long? generation, DateTimeOffset now, DateTime nowSeconds)
    {
        var at = Truncate(certificate.NotAfter.UtcDateTime).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var expiring = certificate.ExpiringAt(now);
        var message = !expiring ? $"the client certificate of spec.oauth.clientCertificateSecretRef is valid until {at}"
            : now >= certificate.NotAfter ? $"the client certificate of spec.oauth.clientCertificateSecretRef expired at {at}; renew it and update the TLS Secret"
            : $"the client certificate of spec.oauth.clientCertificateSecretRef expires at {at}; renew it and update the TLS Secret before then";
        return Condition(
            previous,
            ConditionTypes.ClientCertificateExpiring,
            expiring,
            expiring ? Reasons.ClientCertificateExpiring : Reasons.ClientCertificateValid,
            message,
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

    private static DateTime? TruncateOrNull(DateTimeOffset? value) => value is { } v ? Truncate(v.UtcDateTime) : null;

    private static DateTimeOffset? Utc(DateTime? value) => ToOffset(value);

    private static DateTime Truncate(DateTime value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
}
