using System.Net.Http;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// What every primary handler that talks to an IdP does, whoever created it (the named client's, a test's, one per
/// mutual-TLS certificate): it never follows a redirect itself. A token endpoint's 307/308 would re-post the refresh
/// token, a post-body client secret and the client assertion to whatever origin the <c>Location</c> names; the token
/// client treats any 3xx as a misconfiguration, and discovery follows a bounded number of hops itself
/// (<see cref="Discovery.MetadataFetcher.MaxRedirects"/>), each an ordinary request that passes the endpoint guard.
/// </summary>
public static class IdpHandlerPolicy
{
    /// <summary>
    /// Applies the policy to <paramref name="handler"/> (a <see cref="SocketsHttpHandler"/> or <see cref="HttpClientHandler"/>):
    /// no redirects, and a proxy (the one set on the handler, else <c>HTTPS_PROXY</c>/<c>HTTP_PROXY</c>/<c>NO_PROXY</c>)
    /// only when <paramref name="useProxy"/> (<see cref="TokenClientOptions.ProxyFromEnvironment"/>): by default the
    /// operator connects to IdPs directly, so the endpoint guard sees every connection it makes.
    /// </summary>
    public static void Apply(HttpMessageHandler handler, bool useProxy = false)
    {
        switch (handler)
        {
            case SocketsHttpHandler sockets:
                sockets.AllowAutoRedirect = false;
                sockets.UseProxy = useProxy;
                break;
            case HttpClientHandler client:
                client.AllowAutoRedirect = false;
                client.UseProxy = useProxy;
                break;
        }
    }
}
