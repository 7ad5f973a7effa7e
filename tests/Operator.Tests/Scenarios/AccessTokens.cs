using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// Checks an access token the way a resource server would: its signature against the issuer's
/// published keys (discovery → jwks_uri), its issuer and its lifetime.
/// </summary>
internal static class AccessTokens
{
    public static async Task<bool> IsValidAsync(Uri issuer, string accessToken, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        var discovery = await http.GetFromJsonAsync<JsonElement>(new Uri(issuer, ".well-known/openid-configuration"), cancellationToken);
        var jwksUri = discovery.GetProperty("jwks_uri").GetString()!;
        var jwks = new JsonWebKeySet(await http.GetStringAsync(new Uri(jwksUri), cancellationToken));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(accessToken, new TokenValidationParameters
        {
            ValidIssuer = discovery.GetProperty("issuer").GetString(),
            ValidateAudience = false,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidateLifetime = true,
        });
        return result.IsValid;
    }
}
