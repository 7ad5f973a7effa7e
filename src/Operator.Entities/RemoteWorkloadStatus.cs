using System.ComponentModel;
using k8s.Models;

namespace RemoteWorkloadOperator.Entities;

/// <summary>Observed state of a <see cref="RemoteWorkload"/>. Never holds a token or a secret.</summary>
public sealed class RemoteWorkloadStatus
{
    [Description("Lifecycle phase: Pending, Running, AuthRetrying, Unauthenticated or Failed.")]
    public WorkloadPhase? Phase { get; set; }

    [Description("The metadata.generation this status was computed for.")]
    public long? ObservedGeneration { get; set; }

    [Description("Machine-readable CamelCase reason; mirrors the Ready condition.")]
    public string? Reason { get; set; }

    [Description("Human-readable explanation of the phase.")]
    public string? Message { get; set; }

    [Description("Ready (True only in Running) and AuthRetrying (True exactly while phase is AuthRetrying).")]
    public IList<V1Condition>? Conditions { get; set; }

    [Description("Facts about the published token; never the token itself.")]
    public TokenStatus? Token { get; set; }

    [Description("The authorization server found by discovery (from spec.oauth.issuer or from spec.url's protected-resource metadata); unset with a tokenUrl.")]
    public DiscoveredAuthorizationServer? AuthorizationServer { get; set; }

    [Description("Set while AuthRetrying; kept after a give-up for diagnosis.")]
    public AuthRetryStatus? AuthRetry { get; set; }

    [Description("The last value of the workloads.dev/retry-requested-at annotation the operator acted on.")]
    public string? LastHandledRetryRequest { get; set; }

    [Description("The referenced credentials Secrets as the operator last saw them (name@resourceVersion, comma-separated), so a change made while no operator ran is acted on when one starts. Holds no secret material.")]
    public string? ObservedCredentialsRevision { get; set; }
}
