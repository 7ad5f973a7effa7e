using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

public sealed class EntraIdTests
{
    [Fact]
    public async Task Client_credentials_via_discovery_with_the_token_endpoint_outside_the_issuer_path()
    {
        await using var h = await IdpHarness.StartAsync(EntraId.Shape);

        var grant = IdpAssert.Granted(await h.RequestAsync(h.Config(GrantType.ClientCredentials), IdpHarness.Credentials(null)));

        IdpAssert.ExpiresIn(grant, 3599);
        Assert.Null(grant.RefreshToken);
        Assert.Equal(h.Idp.Issuer!.OriginalString, grant.DiscoveredIssuer);
        Assert.Equal(h.Idp.TokenEndpoint, grant.TokenEndpoint);
        Assert.DoesNotContain(h.Paths, p => p.EndsWith("/keys", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refresh_rotates_and_the_previous_refresh_token_still_works()
    {
        await using var h = await IdpHarness.StartAsync(EntraId.Shape);
        var first = h.Idp.IssueRefreshToken();

        var grant = IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(first)));
        Assert.NotNull(grant.RefreshToken);
        Assert.NotEqual(first, grant.RefreshToken);

        IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(first)));
    }

    [Fact]
    public async Task Wrong_secret_is_a_permanent_invalid_client_despite_the_timestamp_and_trace_fields()
    {
        await using var h = await IdpHarness.StartAsync(EntraId.Shape);
        var credentials = IdpHarness.Credentials(null, secret: "wrong-secret-value");

        var failure = IdpAssert.Rejected(await h.RequestAsync(h.Config(GrantType.ClientCredentials), credentials), "invalid_client", credentials);

        Assert.Equal(401, failure.HttpStatus);
        Assert.Contains("AADSTS7000215", failure.Description, StringComparison.Ordinal);
    }
}
