using System.Security.Cryptography;
using System.Text.Json;

namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures;

/// <summary>
/// A running <see cref="IdpShape"/> on 127.0.0.1: metadata at the documented paths, a token endpoint that
/// checks the client and the refresh token and answers in the vendor's documented shapes.
/// </summary>
public sealed class FixtureIdp : IAsyncDisposable
{
    /// <summary>The registered client.</summary>
    public const string ClientId = "operator-client";

    /// <summary>Its secret.</summary>
    public const string ClientSecret = "operator-client-secret-value";

    private LoopbackHttpServer _server = null!;

    private FixtureIdp(IdpShape shape, TimeProvider clock)
    {
        Shape = shape;
        Ledger = new RefreshTokenLedger(shape.Rotation, clock);
    }

    /// <summary>The shape served.</summary>
    public IdpShape Shape { get; }

    /// <summary>The refresh tokens.</summary>
    public RefreshTokenLedger Ledger { get; }

    /// <summary>The HTTP server (requests seen).</summary>
    public LoopbackHttpServer Server => _server;

    /// <summary>The issuer, as the metadata states it; null when the shape publishes no metadata.</summary>
    public Uri? Issuer => Shape.IssuerPath is { } path ? new Uri(_server.BaseUrl + path + (Shape.IssuerTrailingSlash ? "/" : string.Empty)) : null;

    /// <summary>The token endpoint as published (on the other host name when the shape says so).</summary>
    public Uri TokenEndpoint => new((Shape.TokenEndpointOnOtherHost ? OtherBase : _server.BaseUrl) + Shape.TokenPath);

    /// <summary>The token requests seen.</summary>
    public IReadOnlyList<FixtureRequest> TokenRequests => _server.RequestsTo(Shape.TokenPath);

    /// <summary>The same server under another host name.</summary>
    private string OtherBase => $"http://localhost:{_server.Port}";

    /// <summary>Starts <paramref name="shape"/>.</summary>
    public static async Task<FixtureIdp> StartAsync(IdpShape shape, TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var idp = new FixtureIdp(shape, clock ?? TimeProvider.System);
        idp._server = await LoopbackHttpServer.StartAsync(idp.Handle, cancellationToken).ConfigureAwait(false);
        return idp;
    }

    /// <summary>Issues a refresh token as if the user had just authorised the client.</summary>
    public string IssueRefreshToken() => Ledger.Issue(Shape.RefreshTokenPrefix);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private FixtureResponse Handle(FixtureRequest request)
    {
        if (Shape.BrokenPaths.Contains(request.Path))
        {
            return FixtureResponse.Empty(500);
        }

        if (request.Method == "GET" && Shape.MetadataPaths.Contains(request.Path))
        {
            return Metadata();
        }

        if (request.Method == "POST" && request.Path == Shape.TokenPath)
        {
            return Token(request);
        }

        return FixtureResponse.NotFound;
    }

    private FixtureResponse Metadata()
    {
        var document = new Dictionary<string, object>
        {
            ["issuer"] = Issuer!.OriginalString,
            ["token_endpoint"] = TokenEndpoint.AbsoluteUri,
        };
        foreach (var (key, value) in Shape.MetadataExtras)
        {
            document[key] = value is string text ? Expand(text) : value;
        }

        return FixtureResponse.Json(200, document);
    }

    private string Expand(string text) => text.Replace("{base}", _server.BaseUrl, StringComparison.Ordinal).Replace("{other}", OtherBase, StringComparison.Ordinal);

    private FixtureResponse Token(FixtureRequest request)
    {
        var (clientId, secret) = request.Client();
        if (clientId != ClientId || secret != ClientSecret)
        {
            return Shape.InvalidClient(request);
        }

        string? successor = null;
        switch (request.Field("grant_type"))
        {
            case "refresh_token":
                var (outcome, next) = Ledger.Redeem(request.Field("refresh_token"));
                if (outcome != RedeemOutcome.Accepted)
                {
                    return Shape.InvalidGrant(request);
                }

                successor = next;
                break;
            case "client_credentials":
                break;
            default:
                return FixtureResponse.Json(400, new { error = "unsupported_grant_type" });
        }

        var accessToken = Shape.AccessTokenPrefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        return Shape.Success(new IdpGrant(request, accessToken, successor, request.Field("scope")));
    }

    /// <summary>Serialises <paramref name="value"/> the way the fixtures do (for tests that compare bodies).</summary>
    public static string ToJson(object value) => JsonSerializer.Serialize(value);
}
