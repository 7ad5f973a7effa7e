using System.Text;
using System.Text.RegularExpressions;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>Makes IdP-provided text safe for status, events and logs.</summary>
public static partial class Sanitizer
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

        var cleaned = TokenLike().Replace(builder.ToString().Trim(), "[redacted]");
        return cleaned.Length <= maxLength ? cleaned : string.Concat(cleaned.AsSpan(0, maxLength - 1), "…");
    }

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

    [GeneratedRegex(@"^[A-Za-z0-9_\.\-]{1,64}$")]
    private static partial Regex ErrorCodeShape();
}
