namespace RemoteWorkloadOperator.Entities.Schema;

/// <summary>Regular expressions shared by the CRD schema and the operator's validator.</summary>
public static class SchemaPatterns
{
    /// <summary>An absolute http(s) URL. The validator narrows this to https unless insecure endpoints are allowed.</summary>
    public const string HttpUrl = @"^https?://[^\s/?#]+([/?#]\S*)?$";

    /// <summary>A Kubernetes DNS-1123 subdomain (Secret names).</summary>
    public const string DnsSubdomain = @"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /// <summary>A valid Secret data key.</summary>
    public const string SecretKey = @"^[-._a-zA-Z0-9]+$";

    /// <summary>A non-negative Go duration (no sign): one or more number+unit pairs.</summary>
    public const string Duration = @"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";
}
