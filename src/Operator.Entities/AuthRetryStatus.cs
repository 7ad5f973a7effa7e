using System.ComponentModel;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities;

/// <summary>
/// The AuthRetrying bookkeeping. It lives in status so an operator restart resumes the same
/// deadline instead of granting a fresh ceiling.
/// </summary>
public sealed class AuthRetryStatus
{
    [SchemaFormat("date-time")]
    [Description("When AuthRetrying began; equals the AuthRetrying condition's lastTransitionTime.")]
    public DateTime? StartedAt { get; set; }

    [SchemaFormat("date-time")]
    [Description("startedAt + ceiling: the last moment an attempt is made before Unauthenticated.")]
    public DateTime? Deadline { get; set; }

    [Description("Attempts made while AuthRetrying.")]
    public int? Attempts { get; set; }

    [SchemaFormat("date-time")]
    [Description("When the last attempt was made.")]
    public DateTime? LastAttemptTime { get; set; }

    [SchemaFormat("date-time")]
    [Description("When the next attempt is scheduled.")]
    public DateTime? NextAttemptTime { get; set; }

    [SchemaFormat("date-time")]
    [Description("After the ceiling (Unauthenticated, CeilingExceeded): when the next slow probe is made (spec.retry.probeInterval); absent when none is planned.")]
    public DateTime? NextProbeTime { get; set; }

    [Description("The last error, sanitised: status code, OAuth error code and description; never a token or secret.")]
    public string? LastError { get; set; }
}
