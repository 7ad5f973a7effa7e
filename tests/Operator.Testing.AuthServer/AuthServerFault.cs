namespace RemoteWorkloadOperator.Testing.AuthServer;

/// <summary>How the fault layer answers a request instead of (or before) the real OpenIddict server.</summary>
public enum AuthServerFault
{
    /// <summary>Pass through to OpenIddict.</summary>
    None,

    /// <summary>HTTP 403 with an HTML body, no Content-Type and no error code (a WAF or CDN block page).</summary>
    WafHtml403,

    /// <summary>HTTP 200 with an HTML page (a captive portal or proxy login page).</summary>
    Html200,

    /// <summary>HTTP 500.</summary>
    ServerError500,

    /// <summary>HTTP 503 with <c>Retry-After</c> (<see cref="TestAuthorizationServer.RetryAfter"/>).</summary>
    ServiceUnavailable503,

    /// <summary>HTTP 429 with <c>Retry-After</c> (<see cref="TestAuthorizationServer.RetryAfter"/>) and a JSON body.</summary>
    TooManyRequests429,

    /// <summary>HTTP 401 <c>invalid_client</c> (for a real one, use a wrong secret).</summary>
    InvalidClient,

    /// <summary>HTTP 400 <c>temporarily_unavailable</c>.</summary>
    TemporarilyUnavailable,

    /// <summary>HTTP 200 JSON without <c>access_token</c>.</summary>
    JsonWithoutAccessToken,

    /// <summary>Headers and half a body, then the connection is aborted.</summary>
    ResetMidResponse,

    /// <summary>Never answers (until the client gives up or the server stops).</summary>
    Hang,

    /// <summary>Discovery only: HTTP 200 JSON without a token endpoint.</summary>
    DiscoveryNonsense,
}
