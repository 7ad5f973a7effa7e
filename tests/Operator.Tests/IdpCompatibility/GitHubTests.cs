using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

public sealed class GitHubTests
{
    public static TheoryData<string> Shapes => [GitHub.Shape.Name, GitHub.FormOnly.Name];

    private static IdpShape ShapeNamed(string name) => name == GitHub.Shape.Name ? GitHub.Shape : GitHub.FormOnly;

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Refresh_gives_an_8_hour_token_a_rotated_refresh_token_and_its_6_month_lifetime(string shape)
    {
        await using var h = await IdpHarness.StartAsync(ShapeNamed(shape));
        var first = h.Idp.IssueRefreshToken();

        var grant = IdpAssert.Granted(await h.RequestAsync(h.Config(auth: ClientAuthenticationMethod.ClientSecretPost), IdpHarness.Credentials(first)));

        Assert.StartsWith("ghu_", grant.AccessToken, StringComparison.Ordinal);
        IdpAssert.ExpiresIn(grant, 28800);
        Assert.StartsWith("ghr_", grant.RefreshToken, StringComparison.Ordinal);
        Assert.NotEqual(first, grant.RefreshToken);
        Assert.Equal(GitHub.RefreshTokenExpiresIn, (grant.RefreshTokenExpiresAt!.Value - grant.IssuedAt).TotalSeconds, 0.5);
    }

    [Fact]
    public async Task The_client_asks_for_json()
    {
        await using var h = await IdpHarness.StartAsync(GitHub.Shape);

        IdpAssert.Granted(await h.RequestAsync(h.Config(auth: ClientAuthenticationMethod.ClientSecretPost), IdpHarness.Credentials(h.Idp.IssueRefreshToken())));

        Assert.Contains("application/json", Assert.Single(h.Idp.TokenRequests).Accept, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Used_refresh_token_answers_http_200_bad_refresh_token_which_is_permanent(string shape)
    {
        await using var h = await IdpHarness.StartAsync(ShapeNamed(shape));
        var first = h.Idp.IssueRefreshToken();
        var config = h.Config(auth: ClientAuthenticationMethod.ClientSecretPost);
        IdpAssert.Granted(await h.RequestAsync(config, IdpHarness.Credentials(first)));

        var reuse = IdpHarness.Credentials(first);
        var failure = IdpAssert.Rejected(await h.RequestAsync(config, reuse), "bad_refresh_token", reuse);

        Assert.Equal(200, failure.HttpStatus);
    }

    [Fact]
    public async Task Wrong_secret_answers_incorrect_client_credentials_which_is_permanent()
    {
        await using var h = await IdpHarness.StartAsync(GitHub.Shape);
        var credentials = IdpHarness.Credentials(h.Idp.IssueRefreshToken(), secret: "wrong-secret-value");

        IdpAssert.Rejected(await h.RequestAsync(h.Config(auth: ClientAuthenticationMethod.ClientSecretPost), credentials), "incorrect_client_credentials", credentials);
    }
}
