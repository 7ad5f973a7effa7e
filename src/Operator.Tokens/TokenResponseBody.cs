using System.Globalization;
using System.Net;
using System.Text.Json;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// The fields of a token endpoint body, read from JSON (RFC 6749 section 5.1) or from a form-encoded body
/// (what GitHub answers when a request lacks <c>Accept: application/json</c>, and what proxies that strip the
/// header leave behind). <see cref="ToString"/> never prints a token.
/// </summary>
internal sealed record TokenResponseBody
{
    // Fields a web framework or gateway puts in its own error pages (Spring Boot's default error body is
    // {"timestamp","status","error","path"}); an OAuth error body never carries them.
    private static readonly string[] FrameworkFields = ["status", "path"];

    /// <summary>True when the body is a JSON object.</summary>
    public bool IsJsonObject { get; private init; }

    /// <summary>True when the body was read as <c>application/x-www-form-urlencoded</c>.</summary>
    public bool IsForm { get; private init; }

    /// <summary><c>error</c> as sent (not yet checked for shape).</summary>
    public string? Error { get; private init; }

    /// <summary><c>error_description</c> as sent (sanitise before use).</summary>
    public string? ErrorDescription { get; private init; }

    /// <summary>True when the body carries fields of a framework error page rather than an OAuth error.</summary>
    public bool HasFrameworkFields { get; private init; }

    /// <summary><c>access_token</c>.</summary>
    public string? AccessToken { get; private init; }

    /// <summary><c>token_type</c> as sent.</summary>
    public string? TokenType { get; private init; }

    /// <summary><c>expires_in</c> in seconds (a number, or a numeric string as some servers send).</summary>
    public long? ExpiresIn { get; private init; }

    /// <summary><c>refresh_token</c>.</summary>
    public string? RefreshToken { get; private init; }

    /// <summary>
    /// The refresh token's own lifetime in seconds: Keycloak's <c>refresh_expires_in</c> or GitHub's
    /// <c>refresh_token_expires_in</c>. Keycloak sends 0 for offline tokens without a limit; that is null here.
    /// </summary>
    public long? RefreshExpiresIn { get; private init; }

    /// <summary><c>scope</c>.</summary>
    public string? Scope { get; private init; }

    /// <summary>Reads <paramref name="answer"/>'s body; an unreadable body gives an empty record.</summary>
    public static TokenResponseBody Parse(HttpAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var body = answer.Body;
        if (string.IsNullOrWhiteSpace(body))
        {
            return new TokenResponseBody();
        }

        var trimmed = body.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] == '{')
        {
            return ParseJson(body);
        }

        var formish = answer.MediaType?.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true
            || ((trimmed.StartsWith("error=", StringComparison.Ordinal) || trimmed.StartsWith("access_token=", StringComparison.Ordinal)) && !trimmed.Contains('<'));
        return formish ? ParseForm(body) : new TokenResponseBody();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"TokenResponseBody {{ AccessToken = {(AccessToken is null ? "none" : "***")}, TokenType = {TokenType}, ExpiresIn = {ExpiresIn}, RefreshToken = {(RefreshToken is null ? "none" : "***")}, Error = {Error} }}";

    private static TokenResponseBody ParseJson(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new TokenResponseBody();
            }

            return new TokenResponseBody
            {
                IsJsonObject = true,
                Error = String(root, "error"),
                ErrorDescription = String(root, "error_description"),
                HasFrameworkFields = FrameworkFields.Any(f => root.TryGetProperty(f, out _)),
                AccessToken = String(root, "access_token"),
                TokenType = String(root, "token_type"),
                ExpiresIn = Seconds(root, "expires_in"),
                RefreshToken = String(root, "refresh_token"),
                RefreshExpiresIn = Positive(Seconds(root, "refresh_expires_in") ?? Seconds(root, "refresh_token_expires_in")),
                Scope = String(root, "scope"),
            };
        }
        catch (JsonException)
        {
            return new TokenResponseBody();
        }
    }

    private static TokenResponseBody ParseForm(string body)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in body.Trim().Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields.TryAdd(WebUtility.UrlDecode(pair[..eq]), WebUtility.UrlDecode(pair[(eq + 1)..]));
            }
        }

        string? Get(string name) => fields.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
        long? Number(string name) => long.TryParse(Get(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
        return new TokenResponseBody
        {
            IsForm = true,
            Error = Get("error"),
            ErrorDescription = Get("error_description"),
            AccessToken = Get("access_token"),
            TokenType = Get("token_type"),
            ExpiresIn = Number("expires_in"),
            RefreshToken = Get("refresh_token"),
            RefreshExpiresIn = Positive(Number("refresh_expires_in") ?? Number("refresh_token_expires_in")),
            Scope = Get("scope"),
        };
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static long? Seconds(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n))
        {
            return n;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && d is > 0 and < long.MaxValue)
        {
            return (long)d;
        }

        return value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : null;
    }

    private static long? Positive(long? seconds) => seconds > 0 ? seconds : null;
}
