using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

public sealed class KeycloakTests
{
    [Fact]
    public async Task Refresh_reports_the_refresh_token_lifetime_from_refresh_expires_in()
    {
        await using var h = await IdpHarness.StartAsync(Keycloak.Shape);

        var grant = IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(h.Idp.IssueRefreshToken())));

        IdpAssert.ExpiresIn(grant, 300);
        var refreshExpiresAt = Assert.IsType<DateTimeOffset>(grant.RefreshTokenExpiresAt);
        Assert.Equal(Keycloak.RefreshExpiresIn, (refreshExpiresAt - grant.IssuedAt).TotalSeconds, 0.5);
    }

    [Fact]
    public async Task Client_credentials_with_refresh_expires_in_zero_has_no_refresh_token_lifetime()
    {
        await using var h = await IdpHarness.StartAsync(Keycloak.Shape);

        var grant = IdpAssert.Granted(await h.RequestAsync(h.Config(GrantType.ClientCredentials), IdpHarness.Credentials(null)));

        Assert.Null(grant.RefreshToken);
        Assert.Null(grant.RefreshTokenExpiresAt);
    }

    [Fact]
    public async Task Single_use_refresh_tokens_reject_reuse_permanently()
    {
        await using var h = await IdpHarness.StartAsync(Keycloak.Shape);
        var first = h.Idp.IssueRefreshToken();
        IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(first)));

        var reuse = IdpHarness.Credentials(first);
        var failure = IdpAssert.Rejected(await h.RequestAsync(h.Config(), reuse), "invalid_grant", reuse);

        Assert.Contains("Maximum allowed refresh token reuse exceeded", failure.Description, StringComparison.Ordinal);
    }
}
