using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities;

/// <summary>The Secret the access token is published to.</summary>
public sealed class TokenSecretSpec
{
    [MaxLength(253)]
    [RegularExpression(SchemaPatterns.DnsSubdomain)]
    [Description("Name of the token Secret. Default: <metadata.name>-token.")]
    public string? Name { get; set; }

    [AllowedValues(SecretOwnership.Owner, SecretOwnership.Retain)]
    [DefaultValue(SecretOwnership.Owner)]
    [Description("Owner: the Secret is garbage-collected with the workload. Retain: it is kept.")]
    public string? Ownership { get; set; }
}
