using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace RemoteWorkloadOperator.Testing.AuthServer;

/// <summary>
/// Rewrites <c>expires_in</c> in successful token answers to <see cref="AuthServerState.ExpiresInOverride"/> after
/// OpenIddict processed the request in full (the refresh token has rotated): an IdP stating a lifetime no real clock
/// can hold. OpenIddict cannot issue such a token itself, since its own expiry arithmetic would overflow.
/// </summary>
internal static class ExpiresInRewrite
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var state = context.RequestServices.GetRequiredService<AuthServerState>();
        if (state.ExpiresInOverride is not { } expiresIn || context.Request.Path != TestAuthorizationServer.TokenPath)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        using var buffer = await BufferedResponse.CaptureAsync(context, next).ConfigureAwait(false);

        var body = Encoding.UTF8.GetString(buffer.ToArray());
        if (context.Response.StatusCode == StatusCodes.Status200OK && JsonNode.Parse(body) is JsonObject answer && answer.ContainsKey("expires_in"))
        {
            // Written as a bare JSON number, however large: the point is a value the client's arithmetic cannot add.
            answer["expires_in"] = JsonNode.Parse(expiresIn.ToString(CultureInfo.InvariantCulture));
            body = answer.ToJsonString();
        }

        context.Response.ContentLength = null;
        await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
