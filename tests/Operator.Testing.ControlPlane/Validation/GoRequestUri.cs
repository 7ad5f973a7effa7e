namespace RemoteWorkloadOperator.Testing.ControlPlane.Validation;

/// <summary>
/// <c>format: uri</c> as the real server checks it: kube-openapi's <c>strfmt</c> <c>IsURI</c> is Go's
/// <c>net/url.ParseRequestURI</c>, which accepts an absolute URI (any scheme, opaque or with an
/// authority) or an absolute path, and rejects relative references such as <c>my-api</c>.
/// This mirrors its decisions for the shapes that matter (scheme, opaque part, authority, port, escapes).
/// </summary>
internal static class GoRequestUri
{
    public static bool IsValid(string value)
    {
        if (value.Length == 0 || value.Any(c => c < 0x20 || c == 0x7f))
        {
            return false;
        }

        if (value == "*")
        {
            return true;
        }

        var (scheme, rest, schemeError) = SplitScheme(value);
        if (schemeError)
        {
            return false;
        }

        var query = rest.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            rest = rest[..query];
        }

        if (!rest.StartsWith('/'))
        {
            // "mailto:x" is an opaque URI; "my-api" (no scheme, not a path) is invalid for a request.
            return scheme.Length > 0;
        }

        if (scheme.Length > 0 && rest.StartsWith("//", StringComparison.Ordinal))
        {
            var authorityEnd = rest.IndexOf('/', 2);
            var authority = authorityEnd < 0 ? rest[2..] : rest[2..authorityEnd];
            rest = authorityEnd < 0 ? "" : rest[authorityEnd..];
            if (!ValidAuthority(authority))
            {
                return false;
            }
        }

        return ValidEscapes(rest);
    }

    private static (string Scheme, string Remainder, bool Error) SplitScheme(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsAsciiLetter(c))
            {
                continue;
            }

            if (char.IsAsciiDigit(c) || c is '+' or '-' or '.')
            {
                if (i == 0)
                {
                    return ("", value, false);
                }

                continue;
            }

            if (c == ':')
            {
                return i == 0 ? ("", value, true) : (value[..i], value[(i + 1)..], false);
            }

            return ("", value, false);
        }

        return ("", value, false);
    }

    private static bool ValidAuthority(string authority)
    {
        var at = authority.LastIndexOf('@');
        var host = at < 0 ? authority : authority[(at + 1)..];
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            return ValidPort(host[(close + 1)..]);
        }

        var colon = host.LastIndexOf(':');
        if (colon >= 0 && !ValidPort(host[colon..]))
        {
            return false;
        }

        return !host.Any(c => c is ' ' or '<' or '>' or '"' or '{' or '}' or '|' or '\\' or '^' or '`') && ValidEscapes(host);
    }

    private static bool ValidPort(string port) => port.Length == 0 || (port[0] == ':' && port[1..].All(char.IsAsciiDigit));

    private static bool ValidEscapes(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2])))
            {
                return false;
            }
        }

        return true;
    }
}
