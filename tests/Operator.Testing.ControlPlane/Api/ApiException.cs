using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Api;

/// <summary>An error answered with a <c>meta.k8s.io/v1 Status</c> body, as the real API server does.</summary>
public sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public ApiException()
        : this(500, "InternalError", "internal error")
    {
    }

    public ApiException(string message)
        : this(500, "InternalError", message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = 500;
        Reason = "InternalError";
    }

    public int Code { get; }

    public string Reason { get; } = "InternalError";

    public JsonObject? Details { get; }

    public JsonObject ToStatus() => Status.Failure(Code, Reason, Message, Details?.DeepClone().AsObject());
}
