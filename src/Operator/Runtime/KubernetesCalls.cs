using System.Net;
using k8s.Autorest;

namespace RemoteWorkloadOperator.Runtime;

/// <summary>The answers of the API server the operator reacts to, named once: gone, changed under us, worth a retry.</summary>
public static class KubernetesCalls
{
    /// <summary>404: the object does not exist (any more).</summary>
    public static bool IsNotFound(Exception exception) => exception is HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound };

    /// <summary>409: a write raced another one (stale resourceVersion) or created what exists; read again.</summary>
    public static bool IsConflict(Exception exception) => exception is HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict };

    /// <summary>Throttling, server-side errors and broken connections: worth another try.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        HttpOperationException e => e.Response.StatusCode is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError,
        // Over HTTP/2 a connection reset during setup surfaces as a bare SocketException.
        HttpRequestException or IOException or System.Net.Sockets.SocketException => true,
        _ => false,
    };

    /// <summary>The object <paramref name="read"/> returns, or null when the API server answers 404.</summary>
    public static async Task<T?> ReadOrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception e) when (IsNotFound(e))
        {
            return null;
        }
    }
}
