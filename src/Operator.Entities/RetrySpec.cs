using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities;

/// <summary>Retry behaviour; every unset field takes the operator-wide default.</summary>
[CelRule("!has(self.initialInterval) || !has(self.maxInterval) || duration(self.initialInterval) <= duration(self.maxInterval)", "initialInterval must not exceed maxInterval")]
[CelRule("!has(self.tickInterval) || !has(self.ceiling) || duration(self.tickInterval) <= duration(self.ceiling)", "tickInterval must not exceed ceiling")]
[CelRule("!has(self.tickInterval) || duration(self.tickInterval) >= duration('10s')", "tickInterval must be at least 10s")]
[CelRule("!has(self.initialInterval) || duration(self.initialInterval) >= duration('1s')", "initialInterval must be at least 1s")]
[CelRule("!has(self.maxInterval) || duration(self.maxInterval) >= duration('1s')", "maxInterval must be at least 1s")]
[CelRule("!has(self.initialInterval) || duration(self.initialInterval) <= duration('24h')", "initialInterval must be at most 24h")]
[CelRule("!has(self.maxInterval) || duration(self.maxInterval) <= duration('24h')", "maxInterval must be at most 24h")]
[CelRule("!has(self.maxElapsed) || duration(self.maxElapsed) <= duration('24h')", "maxElapsed must be at most 24h")]
[CelRule("!has(self.tickInterval) || duration(self.tickInterval) <= duration('24h')", "tickInterval must be at most 24h")]
[CelRule("!has(self.ceiling) || duration(self.ceiling) <= duration('720h')", "ceiling must be at most 30 days (720h)")]
[CelRule("!has(self.probeInterval) || duration(self.probeInterval) == duration('0s') || (duration(self.probeInterval) >= duration('1m') && duration(self.probeInterval) <= duration('24h'))", "probeInterval must be 0 (off) or from 1m to 24h")]
public sealed class RetrySpec
{
    [Description("Short retry: first wait (Go duration), at least 1s. Default 10s.")]
    public KubeDuration? InitialInterval { get; set; }

    [Description("Short retry: cap on one wait, at least 1s. Default 2m.")]
    public KubeDuration? MaxInterval { get; set; }

    [Range(1, RetryBounds.MaximumAttempts)]
    [Description("Short retry: attempts after the first failure, 1 to 10. Default 5.")]
    public int? MaxAttempts { get; set; }

    [Description("Short retry: total time budget. Default 5m.")]
    public KubeDuration? MaxElapsed { get; set; }

    [Description("AuthRetrying: cadence of background attempts, at least 10s. Default 10m.")]
    public KubeDuration? TickInterval { get; set; }

    [Description("AuthRetrying: longest stay before the workload becomes Unauthenticated. Default 24h.")]
    public KubeDuration? Ceiling { get; set; }

    [Description("After the ceiling, when the last failure was transient: one probe attempt per interval until one succeeds (back to Running) or the IdP answers permanently; 0 turns probing off, otherwise 1m to 24h. Default 1h.")]
    public KubeDuration? ProbeInterval { get; set; }
}
