namespace RemoteWorkloadOperator.Testing.ControlPlane.Validation;

/// <summary>A CEL compile (unsupported syntax) or evaluation error.</summary>
public sealed class CelException : Exception
{
    public CelException()
    {
    }

    public CelException(string message)
        : base(message)
    {
    }

    public CelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when the expression uses syntax or functions this evaluator does not implement.</summary>
    public bool Unsupported { get; init; }
}
