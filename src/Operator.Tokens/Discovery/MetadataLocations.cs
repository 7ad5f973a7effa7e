namespace RemoteWorkloadOperator.Tokens.Discovery;

/// <summary>
/// Where metadata documents live. RFC 8414 inserts the well-known segment between the host and the issuer's
/// path; OpenID Connect Discovery appends it to the issuer. Authorization servers that only implement one of
/// the two answer 404 at the other, so every candidate is tried in order.
/// </summary>
internal static class MetadataLocations
{
    /// <summary>RFC 8414 well-known suffix.</summary>
    public const string AuthorizationServer = "/.well-known/oauth-authorization-server";

    /// <summary>OpenID Connect Discovery well-known suffix.</summary>
    public const string OpenIdConfiguration = "/.well-known/openid-configuration";

    /// <summary>RFC 9728 well-known suffix.</summary>
    public const string ProtectedResource = "/.well-known/oauth-protected-resource";

    /// <summary>
    /// Candidates for an issuer, in order: RFC 8414 path-aware, then OIDC with the path inserted (the form the
    /// MCP authorization specification also probes), then OIDC appended. Without a path the first two coincide
    /// with the plain well-known documents.
    /// </summary>
    public static IReadOnlyList<Uri> ForIssuer(Uri issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var origin = Origin(issuer);
        var path = TrimmedPath(issuer);
        var candidates = new List<Uri> { new(origin + AuthorizationServer + path) };
        if (path.Length > 0)
        {
            candidates.Add(new Uri(origin + OpenIdConfiguration + path));
        }

        candidates.Add(new Uri(origin + path + OpenIdConfiguration));
        return candidates;
    }

    /// <summary>RFC 9728 candidates for a resource: path-aware first, then the host's root document.</summary>
    public static IReadOnlyList<Uri> ForResource(Uri resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var origin = Origin(resource);
        var path = TrimmedPath(resource);
        return path.Length > 0
            ? [new Uri(origin + ProtectedResource + path), new Uri(origin + ProtectedResource)]
            : [new Uri(origin + ProtectedResource)];
    }

    private static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    // The issuer's path without the trailing slash: "https://host/" has no path, "https://host/tenant/v2.0/" is "/tenant/v2.0".
    private static string TrimmedPath(Uri uri) => uri.AbsolutePath.TrimEnd('/');
}
