namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// A connection the endpoint guard refused because the host resolved to a forbidden address
/// (loopback, link-local, cloud metadata). Classified as permanent: retrying cannot make the
/// address acceptable, and hammering a metadata service is exactly what the guard prevents.
/// </summary>
public sealed class EndpointNotAllowedException : Exception
{
    public EndpointNotAllowedException()
    {
    }

    public EndpointNotAllowedException(string message)
        : base(message)
    {
    }

    public EndpointNotAllowedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
