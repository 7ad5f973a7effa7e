using System.Text;

namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures;

/// <summary>What a fixture server saw of one request.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path.</param>
/// <param name="Host">The Host header (a fixture can tell <c>localhost</c> from <c>127.0.0.1</c>).</param>
/// <param name="Accept">The Accept header, empty when absent.</param>
/// <param name="Authorization">The Authorization header, empty when absent.</param>
/// <param name="Form">Form fields of a form-encoded body.</param>
public sealed record FixtureRequest(string Method, string Path, string Host, string Accept, string Authorization, IReadOnlyDictionary<string, string> Form)
{
    /// <summary>A form field, or null.</summary>
    public string? Field(string name) => Form.TryGetValue(name, out var value) ? value : null;

    /// <summary>The client id from HTTP Basic or the form (client_secret_basic or client_secret_post).</summary>
    public (string? ClientId, string? Secret) Client()
    {
        if (Authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(Authorization[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0
                ? (Uri.UnescapeDataString(decoded), null)
                : (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
        }

        return (Field("client_id"), Field("client_secret"));
    }
}
