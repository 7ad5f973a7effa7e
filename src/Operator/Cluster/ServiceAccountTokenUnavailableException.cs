using k8s;
using k8s.Autorest;
using k8s.Models;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>The TokenRequest API did not give a token (the message names the ServiceAccount and the HTTP status only).</summary>
public sealed class ServiceAccountTokenUnavailableException : Exception
{
    public ServiceAccountTokenUnavailableException()
    {
    }

    public ServiceAccountTokenUnavailableException(string message)
        : base(message)
    {
    }

    public ServiceAccountTokenUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
