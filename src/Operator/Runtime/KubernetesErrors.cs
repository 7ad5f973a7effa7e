using k8s.Autorest;

namespace RemoteWorkloadOperator.Runtime;

/// <summary>
/// Describes a failed Kubernetes call for logs: the exception type, the HTTP status and the API server's reason. Never
/// the exception itself: <see cref="HttpOperationException"/> carries the request, whose body can hold a token.
/// </summary>
public static class KubernetesErrors
{
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            HttpOperationException e when e.Response is { } response => $"{nameof(HttpOperationException)}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}",
            HttpRequestException e when e.StatusCode is { } status => $"{nameof(HttpRequestException)}: HTTP {(int)status}",
            _ => exception.GetType().Name,
        };
    }
}
