using RemoteWorkloadOperator.Entities;
namespace RemoteWorkloadOperator.Entities.Validation;

/// <summary>Operator settings that change what a valid workload is.</summary>
public sealed record ValidationOptions
{
    /// <summary>The production defaults: https only, no private endpoints.</summary>
    public static ValidationOptions Strict { get; } = new();

    /// <summary>Accept http:// URLs (a development setting).</summary>
    public bool AllowInsecureEndpoints { get; init; }

    /// <summary>Accept loopback, link-local, metadata and in-cluster API server endpoints (a development setting).</summary>
    public bool AllowPrivateEndpoints { get; init; }

    /// <summary>
    /// This cluster's API server as the operator reaches it (ClusterIP, kubeconfig host): refused as an endpoint like
    /// <c>kubernetes.default</c> is, unless <see cref="AllowPrivateEndpoints"/>. Empty outside a cluster.
    /// </summary>
    public IReadOnlySet<string> ApiServerHosts { get; init; } = new HashSet<string>();

    /// <summary>The defaults that fill unset retry fields.</summary>
    public RetryPolicy Defaults { get; init; } = RetryPolicy.Default;
}
