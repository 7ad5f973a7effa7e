using Microsoft.Extensions.DependencyInjection;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// A 2xx from a rotating IdP has spent the refresh token that was presented: whatever else is wrong with the answer,
/// the new refresh token comes back to the monitor, over the wire, and an absurd lifetime is no lifetime.
/// </summary>
public sealed class RealHttpRotatedRefreshTokenSurvivalTests : LoopbackIdpTest
{
    [Theory]
    [InlineData(9_000_000_000_000_000L)]
    [InlineData(400_000_000_000L)]
    [InlineData(-5L)]
    public async Task An_absurd_expires_in_is_no_stated_expiry_and_the_rotated_refresh_token_is_handed_back(long expiresIn)
    {
        Answer = _ => FixtureResponse.Json(200, new { access_token = "at", token_type = "Bearer", expires_in = expiresIn, refresh_token = "rt-2" });

        var grant = (await RequestAsync()).Grant!;

        Assert.Null(grant.ExpiresAt);
        Assert.Equal("rt-2", grant.RefreshToken);
    }

    [Fact]
    public async Task An_absurd_refresh_expires_in_is_no_stated_refresh_token_expiry()
    {
        Answer = _ => FixtureResponse.Json(200, new { access_token = "at", token_type = "Bearer", expires_in = 300, refresh_token = "rt-2", refresh_expires_in = long.MaxValue });

        var grant = (await RequestAsync()).Grant!;

        Assert.Null(grant.RefreshTokenExpiresAt);
        Assert.NotNull(grant.ExpiresAt);
        Assert.Equal("rt-2", grant.RefreshToken);
    }

    [Fact]
    public async Task A_lifetime_of_ten_years_is_still_taken_at_its_word()
    {
        Answer = _ => FixtureResponse.Json(200, new { access_token = "at", token_type = "Bearer", expires_in = 315_360_000 });

        var grant = (await RequestAsync()).Grant!;

        Assert.Equal(grant.IssuedAt.AddSeconds(315_360_000), grant.ExpiresAt);
    }

    [Fact]
    public async Task An_unusable_2xx_fails_but_hands_back_the_refresh_token_it_carried()
    {
        Answer = _ => FixtureResponse.Json(200, new { access_token = "at", token_type = "DPoP", expires_in = 60, refresh_token = "rt-2" });

        var result = await RequestAsync();

        Assert.Equal(Reasons.InvalidTokenResponse, result.Failure!.Reason);
        Assert.Equal("rt-2", result.IssuedRefreshToken);
        Assert.DoesNotContain("rt-2", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejection_carries_no_refresh_token()
    {
        Answer = _ => FixtureResponse.Json(400, new { error = "invalid_grant", refresh_token = "not-a-rotation" });

        var result = await RequestAsync();

        Assert.Equal(Reasons.CredentialsRejected, result.Failure!.Reason);
        Assert.Null(result.IssuedRefreshToken);
    }

    private Task<TokenRequestResult> RequestAsync() =>
        new TokenEndpointClient(Services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System, new TokenClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) })
            .RequestTokenAsync(
                new TokenMonitorConfig
                {
                    WorkloadKey = "team-a/rotation",
                    TokenEndpoint = new Uri(Server.BaseUrl + "/token"),
                    Grant = GrantType.RefreshToken,
                    ClientId = "client",
                },
                new MonitorCredentials("v1", "secret-value", "rt-1"),
                Ct);
}
