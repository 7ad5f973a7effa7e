using System.Text.Json;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// Whether an access token is bound to a client certificate (RFC 8705 §3), as <c>x5t#S256:&lt;base64url SHA-256 of the
/// certificate's DER&gt;</c>: the JWT's own <c>cnf.x5t#S256</c> when it states one, else the certificate presented with
/// a mutual-TLS method (an opaque token issued on such a connection may be bound without saying so).
/// </summary>
internal static class CertificateBinding
{
    /// <summary>The prefix naming the confirmation method, so other methods can follow without a new key.</summary>
    public const string Sha256Thumbprint = "x5t#S256";

    /// <summary>The binding of <paramref name="accessToken"/>, or null for a plain bearer token.</summary>
    public static string? Of(string accessToken, string? presentedThumbprint)
    {
        var stated = StatedThumbprint(accessToken);
        return (stated ?? presentedThumbprint) is { } thumbprint ? $"{Sha256Thumbprint}:{thumbprint}" : null;
    }

    /// <summary>The <c>cnf.x5t#S256</c> of a JWT access token; null for an opaque token, a JWE or a JWT without one.</summary>
    public static string? StatedThumbprint(string accessToken)
    {
        var parts = accessToken.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64UrlDecode(parts[1]));
            return payload.RootElement.ValueKind == JsonValueKind.Object
                && payload.RootElement.TryGetProperty("cnf", out var cnf) && cnf.ValueKind == JsonValueKind.Object
                && cnf.TryGetProperty(Sha256Thumbprint, out var thumbprint) && thumbprint.ValueKind == JsonValueKind.String
                && thumbprint.GetString() is { Length: > 0 and <= 64 } value && value.All(IsBase64UrlCharacter)
                ? value
                : null;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            // Not a JWT we can read: the token is opaque to us, which is allowed.
            return null;
        }
    }

    private static bool IsBase64UrlCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private static byte[] Base64UrlDecode(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", 0 => string.Empty, _ => throw new FormatException("not base64url") };
        return Convert.FromBase64String(padded);
    }
}
