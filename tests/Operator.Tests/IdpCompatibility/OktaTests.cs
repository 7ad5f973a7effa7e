using Microsoft.Extensions.Time.Testing;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

public sealed class OktaTests
{
    [Fact]
    public async Task Custom_authorization_server_metadata_is_found_after_the_rfc8414_location_answers_404()
    {
        await using var h = await IdpHarness.StartAsync(Okta.Shape);

        var grant = IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(h.Idp.IssueRefreshToken())));

        Assert.Equal(
            ["/.well-known/oauth-authorization-server/oauth2/default", "/.well-known/openid-configuration/oauth2/default", "/oauth2/default/.well-known/openid-configuration", Okta.Shape.TokenPath],
            h.Paths);
        IdpAssert.ExpiresIn(grant, 3600);
        Assert.NotNull(grant.RefreshToken);
    }

    [Fact]
    public async Task Reuse_within_the_grace_period_works_and_after_it_is_a_permanent_invalid_grant()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await IdpHarness.StartAsync(Okta.Shape, clock);
        var first = h.Idp.IssueRefreshToken();
        IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(first)));

        clock.Advance(Okta.GracePeriod - TimeSpan.FromSeconds(1));
        IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(first)));

        clock.Advance(TimeSpan.FromSeconds(2));
        var credentials = IdpHarness.Credentials(first);
        IdpAssert.Rejected(await h.RequestAsync(h.Config(), credentials), "invalid_grant", credentials);
    }
}
