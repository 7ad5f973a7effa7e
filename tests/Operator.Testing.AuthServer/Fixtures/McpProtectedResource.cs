namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures;

/// <summary>
/// A remote MCP server's protected resource on 127.0.0.1, as the MCP authorization specification describes it
/// (https://modelcontextprotocol.io/specification/2025-06-18/basic/authorization): a request without a token
/// answers 401 with <c>WWW-Authenticate: Bearer resource_metadata="..."</c>, and the RFC 9728 document
/// (https://www.rfc-editor.org/rfc/rfc9728, section 3) is served at
/// <c>/.well-known/oauth-protected-resource{path}</c>, naming its authorization servers.
/// </summary>
public sealed class McpProtectedResource : IAsyncDisposable
{
    /// <summary>Path of the MCP endpoint.</summary>
    public const string ResourcePath = "/mcp";

    private readonly IReadOnlyList<Uri> _authorizationServers;
    private readonly bool _challenge;
    private LoopbackHttpServer _server = null!;

    private McpProtectedResource(IReadOnlyList<Uri> authorizationServers, bool challenge)
    {
        _authorizationServers = authorizationServers;
        _challenge = challenge;
    }

    /// <summary>The resource URL (the workload's <c>spec.url</c>).</summary>
    public Uri Url => new(_server.BaseUrl + ResourcePath);

    /// <summary>The protected-resource metadata URL.</summary>
    public Uri MetadataUrl => new(_server.BaseUrl + "/.well-known/oauth-protected-resource" + ResourcePath);

    /// <summary>The server (requests seen).</summary>
    public LoopbackHttpServer Server => _server;

    /// <summary>
    /// Starts a resource protected by <paramref name="authorizationServers"/>; with <paramref name="challenge"/> false
    /// its 401 carries no <c>resource_metadata</c> and only the well-known location tells.
    /// </summary>
    public static async Task<McpProtectedResource> StartAsync(IReadOnlyList<Uri> authorizationServers, bool challenge = true, CancellationToken cancellationToken = default)
    {
        var resource = new McpProtectedResource(authorizationServers, challenge);
        resource._server = await LoopbackHttpServer.StartAsync(resource.Handle, cancellationToken).ConfigureAwait(false);
        return resource;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private FixtureResponse Handle(FixtureRequest request)
    {
        if (request.Path == MetadataUrl.AbsolutePath)
        {
            return FixtureResponse.Json(200, new
            {
                resource = Url.AbsoluteUri,
                authorization_servers = _authorizationServers.Select(a => a.OriginalString).ToArray(),
                bearer_methods_supported = new[] { "header" },
                scopes_supported = new[] { "mcp:read", "mcp:write" },
            });
        }

        if (request.Path == ResourcePath && request.Authorization.Length == 0)
        {
            var challenge = _challenge ? $"Bearer resource_metadata=\"{MetadataUrl.AbsoluteUri}\"" : "Bearer realm=\"mcp\"";
            return FixtureResponse.Json(401, new { error = "unauthorized" }, ("WWW-Authenticate", challenge));
        }

        return FixtureResponse.NotFound;
    }
}
