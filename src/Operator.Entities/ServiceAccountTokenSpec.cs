using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities;

/// <summary>
/// A short-lived token of a ServiceAccount of the workload's own namespace, requested from the Kubernetes TokenRequest
/// API for every token request. There is deliberately no namespace field: a workload author must not be able to act as
/// another namespace's identity. The ServiceAccount must also opt in (<see cref="WorkloadAnnotations.AllowedWorkloads"/>).
/// </summary>
public sealed class ServiceAccountTokenSpec
{
    /// <summary>The shortest lifetime the TokenRequest API accepts.</summary>
    public const long MinExpirationSeconds = 600;

    /// <summary>The longest lifetime asked for here: the token only has to live through one token request.</summary>
    public const long MaxExpirationSeconds = 86400;

    [Required]
    [MinLength(1)]
    [MaxLength(253)]
    [RegularExpression(SchemaPatterns.DnsSubdomain)]
    [Description("Name of the ServiceAccount, in the workload's namespace. It must carry the annotation workloads.dev/allowed-workloads naming this workload (comma-separated names) or \"*\".")]
    public string Name { get; set; } = "";

    [Required]
    [MinLength(1)]
    [MaxLength(1024)]
    [Description("The token's audience (aud): the value the IdP expects, e.g. api://AzureADTokenExchange for Entra ID workload identity federation, or the workload identity provider's resource name for Google STS.")]
    public string Audience { get; set; } = "";

    [Range(MinExpirationSeconds, MaxExpirationSeconds)]
    [Description("Requested lifetime of the token in seconds (600 to 86400). Default 600: a fresh token is requested for every token request.")]
    public long? ExpirationSeconds { get; set; }
}
