using System.Net;
using System.Net.Sockets;

namespace RemoteWorkloadOperator.Entities.Validation;

/// <summary>
/// Refuses hosts an operator must not be pointed at by a workload author (SSRF): loopback,
/// link-local, cloud metadata services and the in-cluster API server. Names are checked as
/// written; the token client re-checks the resolved address when it connects.
/// </summary>
public static class EndpointGuard
{
    private static readonly IPAddress AwsMetadataV6 = IPAddress.Parse("fd00:ec2::254");

    private static readonly string[] ForbiddenNames = ["metadata.google.internal", "metadata", "instance-data"];

    /// <summary>Why the host may not be used, or null when it may.</summary>
    public static string? WhyNotAllowed(string host)
    {
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
    public static string? WhyNotAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
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

        if (address.Equals(AwsMetadataV6))
        {
            return "address is a cloud metadata service";
        }

        return address.IsIPv6LinkLocal ? "address is link-local" : null;
    }
}
