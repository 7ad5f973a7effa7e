using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities;

/// <summary>
/// A <c>kubernetes.io/tls</c> Secret of the workload's own namespace: the certificate chain in <c>tls.crt</c> and its
/// private key in <c>tls.key</c>, both PEM. There is deliberately no namespace field, as for <see cref="SecretKeyReference"/>.
/// </summary>
public sealed class TlsSecretReference
{
    /// <summary>The key holding the PEM certificate (the client's first, then any intermediates).</summary>
    public const string CertificateKey = "tls.crt";

    /// <summary>The key holding the PEM private key of the first certificate.</summary>
    public const string PrivateKeyKey = "tls.key";

    [Required]
    [MinLength(1)]
    [MaxLength(253)]
    [RegularExpression(SchemaPatterns.DnsSubdomain)]
    [Description("Name of the kubernetes.io/tls Secret (keys tls.crt and tls.key), in the workload's namespace.")]
    public string Name { get; set; } = "";
}
