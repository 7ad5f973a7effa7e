using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>Turns a validated workload spec and the operator defaults into the engine's configuration.</summary>
public static class MonitorConfigBuilder
{
    /// <param name="workload">The validated workload.</param>
    /// <param name="defaults">The operator's retry defaults for unset <c>spec.retry</c> fields.</param>
    /// <param name="operatorTiming">The operator-wide timing (start-up spread, refresh floors); its retry and refresh are replaced.</param>
    public static TokenMonitorConfig Build(RemoteWorkload workload, RetryPolicy defaults, MonitorTiming operatorTiming)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(operatorTiming);
        var oauth = workload.Spec.OAuth;
        var retry = workload.Spec.Retry;
        var refresh = workload.Spec.Refresh;
        return new TokenMonitorConfig
        {
            WorkloadKey = $"{workload.Metadata.NamespaceProperty}/{workload.Metadata.Name}",
            Issuer = string.IsNullOrEmpty(oauth.Issuer) ? null : new Uri(oauth.Issuer),
            TokenEndpoint = string.IsNullOrEmpty(oauth.TokenUrl) ? null : new Uri(oauth.TokenUrl),
            // With neither issuer nor tokenUrl the engine discovers from the workload's own URL (RFC 9728).
            ResourceUrl = string.IsNullOrEmpty(workload.Spec.Url) ? null : new Uri(workload.Spec.Url),
            AuthorizationServer = string.IsNullOrEmpty(oauth.AuthorizationServer) ? null : new Uri(oauth.AuthorizationServer),
            // Validated: the wire strings are the enums' names.
            Grant = Enum.Parse<GrantType>(oauth.Grant),
            ClientId = oauth.ClientId,
            ClientAuthentication = oauth.ClientAuthentication is { } method ? Enum.Parse<ClientAuthenticationMethod>(method) : ClientAuthenticationMethod.ClientSecretBasic,
            KeyId = oauth.KeyId,
            SigningAlgorithm = oauth.Algorithm,
            AssertionAudienceIsIssuer = oauth.AssertionAudience == AssertionAudiences.Issuer,
            ServiceAccountName = oauth.ServiceAccountToken?.Name,
            ServiceAccountAudience = oauth.ServiceAccountToken?.Audience,
            SubjectTokenType = oauth.TokenExchange?.SubjectTokenType ?? TokenExchangeSpec.JwtTokenType,
            RequestedTokenType = oauth.TokenExchange?.RequestedTokenType,
            ExchangeAudience = oauth.TokenExchange?.Audience,
            Scopes = oauth.Scopes?.ToList() ?? [],
            Resource = oauth.Resource,
            Timing = operatorTiming with
            {
                Retry = new RetryPolicy
                {
                    InitialInterval = retry?.InitialInterval?.Value ?? defaults.InitialInterval,
                    MaxInterval = retry?.MaxInterval?.Value ?? defaults.MaxInterval,
                    MaxAttempts = retry?.MaxAttempts ?? defaults.MaxAttempts,
                    MaxElapsed = retry?.MaxElapsed?.Value ?? defaults.MaxElapsed,
                    TickInterval = retry?.TickInterval?.Value ?? defaults.TickInterval,
                    Ceiling = retry?.Ceiling?.Value ?? defaults.Ceiling,
                    ProbeInterval = retry?.ProbeInterval?.Value ?? defaults.ProbeInterval,
                },
                Refresh = new RefreshPolicy
                {
                    BeforeExpiry = refresh?.BeforeExpiry?.Value ?? RefreshPolicy.Default.BeforeExpiry,
                    LifetimeFraction = refresh?.LifetimeFraction ?? RefreshPolicy.Default.LifetimeFraction,
                },
            },
        };
    }

    /// <summary>The token Secret's name: <c>spec.tokenSecret.name</c> or <c>&lt;name&gt;-token</c>.</summary>
    public static string TokenSecretName(RemoteWorkload workload) =>
        workload.Spec.TokenSecret?.Name is { Length: > 0 } name ? name : WorkloadSecretNames.DefaultToken(workload.Metadata.Name);

    /// <summary>Whether the token Secret is owned by (garbage-collected with) the workload.</summary>
    public static bool TokenSecretOwned(RemoteWorkload workload) =>
        workload.Spec.TokenSecret?.Ownership != SecretOwnership.Retain;

    /// <summary>
    /// Everything the token request depends on (<c>spec.url</c> and the whole <c>spec.oauth</c>: endpoint, grant,
    /// client, authentication, scopes, resource, credentials references). A spec edit that changes it warrants an
    /// immediate attempt; one that only changes timing or the token Secret does not.
    /// </summary>
    public static string RequestIdentity(RemoteWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        return $"{workload.Spec.Url}\n{k8s.KubernetesJson.Serialize(workload.Spec.OAuth)}";
    }
}
