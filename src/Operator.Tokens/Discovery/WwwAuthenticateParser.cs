using System.Text;

namespace RemoteWorkloadOperator.Tokens.Discovery;

/// <summary>
/// Reads <c>resource_metadata</c> from a <c>WWW-Authenticate: Bearer ...</c> challenge (RFC 9728 section 5.1).
/// Auth-params are <c>name=token</c> or <c>name="quoted string"</c>, comma-separated (RFC 9110 section 11.6.1).
/// </summary>
internal static class WwwAuthenticateParser
{
    /// <summary>The <c>resource_metadata</c> URL of the first Bearer challenge that carries one, or null.</summary>
    public static Uri? ResourceMetadata(IEnumerable<(string Scheme, string? Parameters)> challenges)
    {
        ArgumentNullException.ThrowIfNull(challenges);
        foreach (var (scheme, parameters) in challenges)
        {
            if (!string.Equals(scheme, "Bearer", StringComparison.OrdinalIgnoreCase) || parameters is null)
            {
                continue;
            }

            if (Parameters(parameters).TryGetValue("resource_metadata", out var value)
                && Uri.TryCreate(value, UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            {
                return uri;
            }
        }

        return null;
    }

    /// <summary>The auth-params of one challenge; names are case-insensitive.</summary>
    public static IReadOnlyDictionary<string, string> Parameters(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var nameStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',' && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var name = text[nameStart..i];
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length || text[i] != '=')
            {
                continue;
            }

            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var value = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i]);
                    i++;
                }

                i++;
            }
            else
            {
                while (i < text.Length && text[i] != ',' && !char.IsWhiteSpace(text[i]))
                {
                    value.Append(text[i]);
                    i++;
                }
            }

            if (name.Length > 0)
            {
                result.TryAdd(name, value.ToString());
            }
        }

        return result;
    }
}
