using Microsoft.AspNetCore.Http;

namespace RemoteWorkloadOperator.Testing.AuthServer;

/// <summary>Runs the rest of the pipeline with the response body captured, for middleware that holds or rewrites an answer after OpenIddict wrote it.</summary>
internal static class BufferedResponse
{
    /// <summary>The body <paramref name="next"/> wrote; nothing has reached the client yet.</summary>
    public static async Task<MemoryStream> CaptureAsync(HttpContext context, RequestDelegate next)
    {
        var original = context.Response.Body;
        var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = original;
        }

        buffer.Position = 0;
        return buffer;
    }
}
