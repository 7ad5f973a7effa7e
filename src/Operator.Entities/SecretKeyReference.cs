using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities;

/// <summary>
/// A key in a Secret of the workload's own namespace. There is deliberately no namespace field:
/// reading another namespace's Secret would let any workload author exfiltrate credentials.
/// </summary>
public sealed class SecretKeyReference
{
    [Required]
    [MinLength(1)]
    [MaxLength(253)]
    [RegularExpression(SchemaPatterns.DnsSubdomain)]
    [Description("Name of the Secret, in the workload's namespace.")]
    public string Name { get; set; } = "";

    [Required]
    [MinLength(1)]
    [MaxLength(253)]
    [RegularExpression(SchemaPatterns.SecretKey)]
    [Description("Key within the Secret.")]
    public string Key { get; set; } = "";
}
