namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures;

/// <summary>The context a shape builds answers from.</summary>
/// <param name="Request">The token request.</param>
/// <param name="AccessToken">A fresh access token.</param>
/// <param name="RefreshToken">The refresh token to return (rotated), or null.</param>
/// <param name="Scope">The requested scope, or null.</param>
public sealed record IdpGrant(FixtureRequest Request, string AccessToken, string? RefreshToken, string? Scope);

/// <summary>
/// An authorization server as its vendor documents it: where its metadata lives, what its token endpoint
/// answers, how it rotates refresh tokens and what its error bodies look like. Paths are relative to the
/// fixture's base URL; <c>{base}</c> in a metadata document stands for it, <c>{other}</c> for the same server
/// reached by another host name (for vendors whose token endpoint lives on another host than the issuer).
/// </summary>
public sealed record IdpShape
{
    /// <summary>Display name.</summary>
    public required string Name { get; init; }

    /// <summary>Issuer path below the base URL (empty for a root issuer); null when the IdP publishes no metadata.</summary>
    public string? IssuerPath { get; init; }

    /// <summary>The issuer as written in its own metadata ends with a slash (Auth0).</summary>
    public bool IssuerTrailingSlash { get; init; }

    /// <summary>Paths that serve the metadata document; every other path answers 404.</summary>
    public IReadOnlyList<string> MetadataPaths { get; init; } = [];

    /// <summary>Extra metadata fields besides issuer and token_endpoint (jwks_uri and so on), with placeholders.</summary>
    public IReadOnlyDictionary<string, object> MetadataExtras { get; init; } = new Dictionary<string, object>();

    /// <summary>Path of the token endpoint.</summary>
    public required string TokenPath { get; init; }

    /// <summary>The token endpoint is published on another host name than the issuer (Google, Cognito).</summary>
    public bool TokenEndpointOnOtherHost { get; init; }

    /// <summary>Prefix of issued tokens (GitHub's <c>ghu_</c>, Slack's <c>xoxe.xoxb-</c>).</summary>
    public string AccessTokenPrefix { get; init; } = "at_";

    /// <summary>Prefix of issued refresh tokens.</summary>
    public string RefreshTokenPrefix { get; init; } = "rt_";

    /// <summary>Rotation rules.</summary>
    public RotationPolicy Rotation { get; init; } = RotationPolicy.None;

    /// <summary>The success answer.</summary>
    public required Func<IdpGrant, FixtureResponse> Success { get; init; }

    /// <summary>The answer to an unknown, revoked, expired or reused refresh token.</summary>
    public required Func<FixtureRequest, FixtureResponse> InvalidGrant { get; init; }

    /// <summary>The answer to a wrong client secret.</summary>
    public required Func<FixtureRequest, FixtureResponse> InvalidClient { get; init; }

    /// <summary>Paths that always answer 500 (a key set endpoint the operator must not need).</summary>
    public IReadOnlyList<string> BrokenPaths { get; init; } = [];
}
