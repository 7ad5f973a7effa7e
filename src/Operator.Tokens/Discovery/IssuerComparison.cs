namespace RemoteWorkloadOperator.Tokens.Discovery;

/// <summary>
/// Issuer identifiers compared as RFC 8414 section 3.3 asks (identical), except for one trailing slash:
/// a spec's <c>https://tenant.auth0.com</c> and the document's <c>https://tenant.auth0.com/</c> name the same
/// issuer, and <see cref="Uri"/> adds that slash on its own, so refusing it would only punish the user.
/// </summary>
internal static class IssuerComparison
{
    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> name the same issuer.</summary>
    public static bool Same(string? a, string? b) =>
        a is not null && b is not null && string.Equals(Normalise(a), Normalise(b), StringComparison.Ordinal);

    /// <summary>The issuer without its trailing slash and with a lower-case scheme and host.</summary>
    public static string Normalise(string issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var trimmed = issuer.TrimEnd('/');
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri))
        {
            return trimmed;
        }

        var rest = trimmed[(trimmed.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var path = slash < 0 ? string.Empty : rest[slash..];
        return $"{uri.Scheme}://{uri.Authority.ToLowerInvariant()}{path}";
    }
}
