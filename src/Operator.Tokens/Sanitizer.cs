using System.Text;
using System.Text.RegularExpressions;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>Makes IdP-provided text safe for status, events and logs.</summary>
internal static partial class Sanitizer
{
    /// <summary>Longest text kept.</summary>
    public const int MaxLength = 200;

    /// <summary>
    /// Removes control characters, collapses whitespace, replaces anything that looks like a token or
    /// secret (a long run of token characters, or a JWT) with <c>[redacted]</c> and truncates.
    /// </summary>
    public static string Clean(string? text, int maxLength = MaxLength)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxLength * 2));
        var lastWasSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                if (!lastWasSpace && builder.Length > 0)
                {
                    builder.Append(' ');
                }

                lastWasSpace = true;
                continue;
            }

            builder.Append(c);
            lastWasSpace = false;
            if (builder.Length > maxLength * 4)
            {
                break;
            }
        }

        // URLs are rewritten first so their host and path survive (a message that says where discovery failed
        // must show where); the token rule then only sees the text between them.
        var collapsed = builder.ToString().Trim();
        var parts = UrlLike().Split(collapsed);
        var cleanedBuilder = new StringBuilder(collapsed.Length);
        var matches = UrlLike().Matches(collapsed);
        for (var i = 0; i < parts.Length; i++)
        {
            cleanedBuilder.Append(RedactTokens(parts[i]));
            if (i < matches.Count)
            {
                cleanedBuilder.Append(Url(matches[i].Value));
            }
        }

        var cleaned = cleanedBuilder.ToString();
        return cleaned.Length <= maxLength ? cleaned : string.Concat(cleaned.AsSpan(0, maxLength - 1), "…");
    }

    /// <summary>
    /// A URL for a message: scheme, host, port and path. The query and fragment are dropped (they may carry
    /// codes or tokens) and a path segment that looks like a token (a long run of token characters without the
    /// hyphens and dots of names and GUIDs, or a JWT) is replaced with <c>[redacted]</c>.
    /// </summary>
    public static string Url(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            return "[relative URL]";
        }

        var segments = url.AbsolutePath.Split('/').Select(s => TokenLikeSegment().IsMatch(s) || s.Contains("eyJ", StringComparison.Ordinal) ? "[redacted]" : s);
        var tail = url.Query.Length > 0 || url.Fragment.Length > 0 ? "?…" : string.Empty;
        var text = $"{url.Scheme}://{url.Authority}{string.Join('/', segments)}{tail}";
        return text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength - 1), "…");
    }

    /// <summary>Like <see cref="Url(Uri)"/> for text that may not be a URL (then it is cleaned as text).</summary>
    public static string Url(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return string.Empty;
        }

        return Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? Url(uri)
            : Clean(url.Replace("://", " ", StringComparison.Ordinal), 120);
    }

    // A long run of token characters is redacted unless it is plainly words: letters only, joined by dots,
    // hyphens, underscores or slashes, no part as long as a token (field paths such as
    // spec.oauth.authorizationServer). Random tokens carry digits or long unbroken runs.
    private static string RedactTokens(string text) =>
        TokenLike().Replace(text, m => PlainWords().IsMatch(m.Value) ? m.Value : "[redacted]");

    /// <summary>An OAuth error code is a short ASCII identifier; anything else is replaced.</summary>
    public static string? CleanErrorCode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }

        return ErrorCodeShape().IsMatch(code) ? code : "unrecognised_error";
    }

    [GeneratedRegex(@"[A-Za-z0-9\-_\.~\+/=]{24,}")]
    private static partial Regex TokenLike();

    [GeneratedRegex(@"^[A-Za-z]{1,23}([\.\-_/][A-Za-z]{1,23})*$")]
    private static partial Regex PlainWords();

    [GeneratedRegex(@"^[A-Za-z0-9_~\+=]{24,}$")]
    private static partial Regex TokenLikeSegment();

    [GeneratedRegex(@"https?://[^\s""'<>,;()]+")]
    private static partial Regex UrlLike();

    [GeneratedRegex(@"^[A-Za-z0-9_\.\-]{1,64}$")]
    private static partial Regex ErrorCodeShape();
}
