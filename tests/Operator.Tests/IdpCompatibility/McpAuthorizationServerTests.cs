using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

public sealed class McpAuthorizationServerTests
{
    [Fact]
    public async Task Rfc8414_only_server_is_discovered_at_the_path_aware_location_first()
    {
        await using var h = await IdpHarness.StartAsync(McpAuthorizationServer.Shape);

        IdpAssert.Granted(await h.RequestAsync(h.Config(GrantType.ClientCredentials), IdpHarness.Credentials(null)));

        Assert.Equal(["/.well-known/oauth-authorization-server/auth", McpAuthorizationServer.Shape.TokenPath], h.Paths);
    }

    [Fact]
    public async Task Discovery_is_cached_and_repeated_after_a_failed_request()
    {
        await using var h = await IdpHarness.StartAsync(McpAuthorizationServer.Shape);
        var config = h.Config(GrantType.ClientCredentials);

        IdpAssert.Granted(await h.RequestAsync(config, IdpHarness.Credentials(null)));
        IdpAssert.Granted(await h.RequestAsync(config, IdpHarness.Credentials(null)));
        Assert.Single(h.Idp.Server.RequestsTo("/.well-known/oauth-authorization-server/auth"));

        Assert.NotNull((await h.RequestAsync(config, IdpHarness.Credentials(null, secret: "wrong-secret-value"))).Failure);
        IdpAssert.Granted(await h.RequestAsync(config, IdpHarness.Credentials(null)));
        Assert.Equal(2, h.Idp.Server.RequestsTo("/.well-known/oauth-authorization-server/auth").Count);
    }

    [Fact]
    public async Task Rotated_refresh_token_reuse_is_a_permanent_invalid_grant()
    {
        await using var h = await IdpHarness.StartAsync(McpAuthorizationServer.Shape);
        var first = h.Idp.IssueRefreshToken();
        IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(first)));

        var reuse = IdpHarness.Credentials(first);
        IdpAssert.Rejected(await h.RequestAsync(h.Config(), reuse), "invalid_grant", reuse);
    }
}
