using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

public sealed class GoogleTests
{
    [Fact]
    public async Task Refresh_via_discovery_with_the_token_endpoint_on_another_host()
    {
        await using var h = await IdpHarness.StartAsync(Google.Shape);
        var refreshToken = h.Idp.IssueRefreshToken();

        var grant = IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(refreshToken)));

        Assert.Equal("localhost", grant.TokenEndpoint!.Host);
        Assert.NotEqual(h.Idp.Issuer!.Host, grant.TokenEndpoint.Host);
        Assert.Equal($"localhost:{h.Idp.Server.Port}", Assert.Single(h.Idp.TokenRequests).Host);
        IdpAssert.ExpiresIn(grant, 3599);
        Assert.Null(grant.RefreshToken);
        Assert.DoesNotContain(h.Paths, p => p.EndsWith("/certs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Revoked_refresh_token_is_a_permanent_invalid_grant()
    {
        await using var h = await IdpHarness.StartAsync(Google.Shape);
        var refreshToken = h.Idp.IssueRefreshToken();
        h.Idp.Ledger.RevokeAll();
        var credentials = IdpHarness.Credentials(refreshToken);

        var failure = IdpAssert.Rejected(await h.RequestAsync(h.Config(), credentials), "invalid_grant", credentials);

        Assert.Contains("Token has been expired or revoked.", failure.Description, StringComparison.Ordinal);
    }
}
