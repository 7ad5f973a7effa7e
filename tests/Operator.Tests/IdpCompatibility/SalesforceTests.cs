using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

public sealed class SalesforceTests
{
    [Fact]
    public async Task Refresh_without_expires_in_gives_a_token_without_expiry_and_keeps_the_refresh_token()
    {
        await using var h = await IdpHarness.StartAsync(Salesforce.Shape);
        var refreshToken = h.Idp.IssueRefreshToken();

        var grant = IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(refreshToken)));

        Assert.Null(grant.ExpiresAt);
        Assert.Null(grant.RefreshToken);
        Assert.Equal("refresh_token api", grant.Scope);
        IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(refreshToken)));
    }

    [Fact]
    public async Task Expired_refresh_token_is_a_permanent_invalid_grant()
    {
        await using var h = await IdpHarness.StartAsync(Salesforce.Shape);
        var credentials = IdpHarness.Credentials("5Aep861_not-issued");

        IdpAssert.Rejected(await h.RequestAsync(h.Config(), credentials), "invalid_grant", credentials);
    }
}
