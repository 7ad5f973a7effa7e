using System.Globalization;
using System.Net.Http;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>Options of <see cref="TokenEndpointClient"/>.</summary>
public sealed record TokenClientOptions
{
    /// <summary>Name of the <see cref="IHttpClientFactory"/> client.</summary>
    public const string HttpClientName = "RemoteWorkloadOperator.Tokens";

    /// <summary>The User-Agent of every request, the named client's and the mutual-TLS clients' alike.</summary>
    public static string UserAgent { get; } = string.Create(CultureInfo.InvariantCulture, $"remoteworkload-operator/{typeof(TokenEndpointClient).Assembly.GetName().Version}");

    /// <summary>
    /// Applied to every handler made for a mutual-TLS client certificate (one per certificate, outside
    /// <see cref="IHttpClientFactory"/>, whose handlers cannot carry one certificate each): the operator sets its
    /// connect-time endpoint guard here, tests their trust in the test server.
    /// </summary>
    public Action<SocketsHttpHandler>? ConfigureMutualTlsHandler { get; init; }

    /// <summary>Requests per second to one IdP host, process-wide (<see cref="IdpRateLimiter"/>); at least 1.</summary>
    public int RequestsPerSecondPerHost { get; init; } = IdpRateLimiter.DefaultRequestsPerSecond;

    /// <summary>
    /// Honour <c>HTTPS_PROXY</c>, <c>HTTP_PROXY</c> and <c>NO_PROXY</c> for IdP requests. Off by default: every request
    /// goes directly, so the connect-time guard sees the IdP. When on, <see cref="ProxiedTargetGuard"/> checks each target.
    /// </summary>
    public bool ProxyFromEnvironment { get; init; }

    /// <summary>
    /// The guard for proxied targets (<see cref="ProxiedTargetGuardHandler"/>), installed when
    /// <see cref="ProxyFromEnvironment"/> is on; null when the guard is off (<c>--allow-private-endpoints</c>).
    /// </summary>
    public Func<ProxiedTargetGuardHandler>? ProxiedTargetGuard { get; init; }

    /// <summary>Per-request timeout (discovery and token requests each).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a discovered token endpoint is reused before discovery runs again (it is also dropped on any failure).</summary>
    public TimeSpan DiscoveryCacheDuration { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Allow <c>http://</c> beyond loopback for URLs found by discovery (token endpoints, metadata, authorization servers); development only.</summary>
    public bool AllowInsecureEndpoints { get; init; }
}
