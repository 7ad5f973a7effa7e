using System.Text;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Validation;

/// <summary>
/// Runs a CRD <c>pattern</c> with the meaning Go's RE2 <c>regexp</c> gives it (kube-openapi
/// <c>pkg/validation/validate/values.go</c> <c>Pattern</c> uses <c>regexp.MatchString</c>), where .NET's
/// dialect differs: <c>$</c> matches only at the very end (.NET also before a final newline, so
/// <c>"name\n"</c> would pass <c>^...$</c>), and <c>\d</c>, <c>\w</c>, <c>\s</c> are ASCII-only.
/// Constructs RE2 does not have at all are refused when the CRD is installed (<see cref="Unsupported"/>).
/// </summary>
internal static class Re2Pattern
{
    public static string ToDotNet(string pattern)
    {
        var result = new StringBuilder(pattern.Length + 8);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var next = pattern[++i];
                result.Append((next, inClass) switch
                {
                    ('d', false) => "[0-9]",
                    ('D', false) => "[^0-9]",
                    ('w', false) => "[0-9A-Za-z_]",
                    ('W', false) => "[^0-9A-Za-z_]",
                    ('s', false) => "[\\t\\n\\f\\r ]",
                    ('S', false) => "[^\\t\\n\\f\\r ]",
                    ('d', true) => "0-9",
                    ('w', true) => "0-9A-Za-z_",
                    ('s', true) => "\\t\\n\\f\\r ",
                    _ => "\\" + next,
                });
                continue;
            }

            if (inClass)
            {
                if (c == ']')
                {
                    inClass = false;
                }

                result.Append(c);
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    result.Append(c);

                    // A ']' right after '[' or '[^' is a literal member, not the end of the class.
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                    {
                        result.Append(pattern[++i]);
                    }

                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        result.Append(pattern[++i]);
                    }

                    break;
                case '$':
                    result.Append("\\z");
                    break;
                default:
                    result.Append(c);
                    break;
            }
        }

        return result.ToString();
    }

    /// <summary>The first construct Go's regexp refuses (lookaround, backreferences, atomic groups), or null.</summary>
    public static string? Unsupported(string pattern)
    {
        string[] perlOnly = ["(?=", "(?!", "(?<=", "(?<!", "(?>"];
        foreach (var construct in perlOnly)
        {
            if (pattern.Contains(construct, StringComparison.Ordinal))
            {
                return $"error parsing regexp: invalid or unsupported Perl syntax: `{construct}`";
            }
        }

        for (var i = 0; i + 1 < pattern.Length; i++)
        {
            if (pattern[i] == '\\')
            {
                if (char.IsAsciiDigit(pattern[i + 1]) && pattern[i + 1] != '0')
                {
                    return $"error parsing regexp: invalid escape sequence: `\\{pattern[i + 1]}`";
                }

                i++;
            }
        }

        return null;
    }
}
