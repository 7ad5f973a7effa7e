using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities;

/// <summary>When a token is refreshed: whichever of the two moments comes first.</summary>
[CelRule("!has(self.beforeExpiry) || duration(self.beforeExpiry) <= duration('24h')", "beforeExpiry must be at most 24h")]
public sealed class RefreshSpec
{
    [DefaultValue("60s")]
    [Description("Refresh when the token has this long left (Go duration, e.g. 60s).")]
    public KubeDuration? BeforeExpiry { get; set; }

    [Range(0.0, 1.0, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    [DefaultValue(0.8)]
    [Description("Refresh when this fraction of the token's lifetime has passed; strictly between 0 and 1.")]
    public double? LifetimeFraction { get; set; }
}
