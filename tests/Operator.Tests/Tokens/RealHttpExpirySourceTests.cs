using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// Where a token's expiry comes from, over the wire: <c>expires_in</c> (RFC 6749 §5.1); without it, the <c>exp</c> of
/// a JWT access token (RFC 7519 §4.1.4; Salesforce, for one, sends no <c>expires_in</c>); else none ("default").
/// </summary>
public sealed class RealHttpExpirySourceTests : LoopbackIdpTest
{
    [Fact]
    public async Task Without_expires_in_the_exp_of_a_JWT_access_token_is_the_expiry()
    {
        var exp = DateTimeOffset.UtcNow.AddMinutes(45);
        Answer = _ => FixtureResponse.Json(200, new { access_token = Jwt(new { sub = "agent", exp = exp.ToUnixTimeSeconds() }), token_type = "Bearer" });

        var grant = (await RequestAsync()).Grant!;

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(exp.ToUnixTimeSeconds()), grant.ExpiresAt);
        Assert.Equal(ExpirySources.Jwt, grant.ExpirySource);
    }

    [Fact]
    public async Task Expires_in_wins_over_the_JWT_exp()
    {
        Answer = _ => FixtureResponse.Json(200, new { access_token = Jwt(new { exp = DateTimeOffset.UtcNow.AddHours(5).ToUnixTimeSeconds() }), token_type = "Bearer", expires_in = 600 });

        var grant = (await RequestAsync()).Grant!;

        Assert.Equal(grant.IssuedAt.AddSeconds(600), grant.ExpiresAt);
        Assert.Equal(ExpirySources.ExpiresIn, grant.ExpirySource);
    }

    [Theory]
    [InlineData("opaque-token-value")]
    [InlineData("not.a.jwt")]
    [InlineData("JWT without exp")]
    [InlineData("JWT expired")]
    public async Task Without_expires_in_or_a_usable_exp_there_is_no_expiry_and_the_source_is_default(string accessToken)
    {
        var token = accessToken switch
        {
            "JWT without exp" => Jwt(new { sub = "agent" }),
            "JWT expired" => Jwt(new { exp = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds() }),
            _ => accessToken,
        };
        Answer = _ => FixtureResponse.Json(200, new { access_token = token, token_type = "Bearer" });

        var grant = (await RequestAsync()).Grant!;

        Assert.Null(grant.ExpiresAt);
        Assert.Equal(ExpirySources.Default, grant.ExpirySource);
    }

    // An unsigned JWT is enough: the operator reads exp, it does not verify the token (it is not its audience).
    private static string Jwt(object claims) =>
        $"{Base64Url(new { alg = "RS256", typ = "JWT" })}.{Base64Url(claims)}.c2lnbmF0dXJl";

    private static string Base64Url(object value) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private Task<TokenRequestResult> RequestAsync() =>
        new TokenEndpointClient(Services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System, new TokenClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) })
            .RequestTokenAsync(
                new TokenMonitorConfig { WorkloadKey = "team-a/expiry", TokenEndpoint = new Uri(Server.BaseUrl + "/token"), Grant = GrantType.ClientCredentials, ClientId = "client" },
                new MonitorCredentials("v1", "secret-value", null),
                Ct);
}
