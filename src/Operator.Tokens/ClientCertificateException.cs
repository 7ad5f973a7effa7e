namespace RemoteWorkloadOperator.Tokens;

/// <summary>The mutual-TLS client certificate or its key cannot be used. The message describes the problem, never the key.</summary>
public sealed class ClientCertificateException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClientCertificateException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ClientCertificateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ClientCertificateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
