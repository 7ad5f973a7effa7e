using System.Net;
using System.Net.Sockets;

namespace RemoteWorkloadOperator.Entities.Validation;

/// <summary>
/// Refuses hosts an operator must not be pointed at by a workload author (SSRF): loopback,
/// link-local, cloud metadata services and the in-cluster API server (by name, and by the addresses
/// the operator itself reaches it at, passed in as <c>apiServerHosts</c>). Names are checked as
/// written; the token client re-checks the resolved address when it connects.
/// </summary>
public static class EndpointGuard
{
    // Instance metadata services outside 169.254.0.0/16 (which is refused whole as link-local, covering AWS, GCP, Azure,
    // OpenStack and Tencent's 169.254.0.23): AWS IPv6 fd00:ec2::254 (AWS EC2 User Guide, "Access instance metadata",
    // IPv6 endpoint); Alibaba Cloud 100.100.100.200 (ECS documentation, "Instance metadata"); Oracle Cloud 192.0.0.192
    // (OCI documentation, "Getting Instance Metadata", legacy v1 endpoint); Azure's WireServer 168.63.129.16 (Azure
    // documentation, "What is IP address 168.63.129.16?"), which hands out extension settings and certificates.
    private static readonly IPAddress[] MetadataAddresses =
    [
        IPAddress.Parse("fd00:ec2::254"),
        IPAddress.Parse("100.100.100.200"),
        IPAddress.Parse("192.0.0.192"),
        IPAddress.Parse("168.63.129.16"),
    ];

    private static readonly string[] ForbiddenNames = ["metadata.google.internal", "metadata", "instance-data", "metadata.tencentyun.com"];

    /// <summary>Why the host may not be used, or null when it may.</summary>
    public static string? WhyNotAllowed(string host) => WhyNotAllowed(host, null);

    /// <summary>
    /// Why the host may not be used, or null when it may; <paramref name="apiServerHosts"/> are the names and addresses of
    /// this cluster's API server (its ClusterIP from <c>KUBERNETES_SERVICE_HOST</c>, the kubeconfig's server host).
    /// </summary>
    public static string? WhyNotAllowed(string host, IReadOnlySet<string>? apiServerHosts)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (apiServerHosts is not null && IsApiServer(host, apiServerHosts))
        {
            return "host is this cluster's Kubernetes API server";
        }

        var name = host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        if (name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal))
        {
            return "host is a loopback name";
        }

        if (ForbiddenNames.Contains(name))
        {
            return "host is a cloud metadata service";
        }

        if (name == "kubernetes" || name.StartsWith("kubernetes.default", StringComparison.Ordinal))
        {
            return "host is the in-cluster Kubernetes API server";
        }

        return IPAddress.TryParse(name, out var address) ? WhyNotAllowed(address) : null;
    }

    /// <summary>Why the address may not be used, or null when it may.</summary>
    public static string? WhyNotAllowed(IPAddress address) => WhyNotAllowed(address, null);

    /// <summary>Why the address may not be used (see <see cref="WhyNotAllowed(string, IReadOnlySet{string}?)"/>), or null when it may.</summary>
    public static string? WhyNotAllowed(IPAddress address, IReadOnlySet<string>? apiServerHosts)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (apiServerHosts is not null && IsApiServer(address.ToString(), apiServerHosts))
        {
            return "address is this cluster's Kubernetes API server";
        }

        if (MetadataAddresses.Contains(address))
        {
            return "address is a cloud metadata service";
        }

        if (IPAddress.IsLoopback(address))
        {
            return "address is loopback";
        }

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return "address is unspecified";
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var bytes = address.GetAddressBytes();
            if (bytes[0] == 169 && bytes[1] == 254)
            {
                return bytes[2] == 169 && bytes[3] == 254 ? "address is a cloud metadata service" : "address is link-local";
            }

            return null;
        }

        return address.IsIPv6LinkLocal ? "address is link-local" : null;
    }

    /// <summary>The API server's hosts as the guard compares them: names lower-cased without a trailing dot, addresses canonical.</summary>
    public static IReadOnlySet<string> ApiServerHosts(params string?[] hosts) =>
        hosts.Where(h => !string.IsNullOrWhiteSpace(h)).Select(h => Canonical(h!)).ToHashSet(StringComparer.Ordinal);

    private static bool IsApiServer(string host, IReadOnlySet<string> apiServerHosts) => apiServerHosts.Contains(Canonical(host));

    private static string Canonical(string host)
    {
        var name = host.Trim().Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        if (!IPAddress.TryParse(name, out var address))
        {
            return name;
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
