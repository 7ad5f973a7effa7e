namespace RemoteWorkloadOperator.Tokens;

/// <summary>The private_key_jwt key cannot sign. The message describes the problem, never the key.</summary>
public sealed class ClientKeyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClientKeyException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ClientKeyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ClientKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
