namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// An IdP answer longer than <see cref="BoundedResponseHandler.MaxBodyBytes"/>. Raised while the body is read, before
/// more than the limit is held in memory; the message names the size, never any of the content.
/// </summary>
public sealed class ResponseTooLargeException : IOException
{
    /// <summary>Creates the exception for a body that declared <paramref name="declaredLength"/> bytes (null when it did not).</summary>
    public ResponseTooLargeException(long? declaredLength, int limit)
        : base(declaredLength is { } length
            ? $"the answer is {length} bytes (Content-Length), more than the {limit / 1024} KiB the operator reads from an IdP"
            : $"the answer is longer than the {limit / 1024} KiB the operator reads from an IdP")
    {
    }

    /// <summary>Creates the exception with a message of the caller's.</summary>
    public ResponseTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message of the caller's and its cause.</summary>
    public ResponseTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public ResponseTooLargeException()
    {
    }
}
