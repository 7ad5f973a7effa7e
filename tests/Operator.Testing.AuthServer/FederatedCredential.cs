using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace RemoteWorkloadOperator.Testing.AuthServer;

/// <summary>One federated credential: the issuer, the subject and the audience it must name, and how to reach the issuer.</summary>
/// <param name="Issuer">The exact <c>iss</c>, e.g. the cluster's service-account issuer.</param>
/// <param name="Subject">The exact <c>sub</c>, e.g. <c>system:serviceaccount:ns:name</c>.</param>
/// <param name="Audience">The <c>aud</c> the token must carry.</param>
/// <param name="Backchannel">The HTTP client that reaches the issuer (it must trust the issuer's TLS certificate).</param>
public sealed record FederatedCredential(string Issuer, string Subject, string Audience, HttpClient Backchannel)
{
    /// <summary>The issuer's signing keys: its discovery document, then its <c>jwks_uri</c> (read for every assertion).</summary>
    public async Task<IList<SecurityKey>> KeysAsync(CancellationToken cancellationToken)
    {
        var configuration = await Backchannel.GetFromJsonAsync<JsonObject>($"{Issuer.TrimEnd('/')}/.well-known/openid-configuration", cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("empty discovery document");
        if (configuration["issuer"]?.GetValue<string>() != Issuer)
        {
            throw new InvalidOperationException("the discovery document names another issuer");
        }

        var jwksUri = configuration["jwks_uri"]?.GetValue<string>() ?? throw new InvalidOperationException("no jwks_uri");
        var json = await Backchannel.GetStringAsync(jwksUri, cancellationToken).ConfigureAwait(false);
        return new JsonWebKeySet(json).GetSigningKeys();
    }
}
