using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

public sealed class AtlassianTests
{
    [Fact]
    public async Task Rotating_refresh_tokens_are_single_use_and_reuse_is_a_permanent_403_invalid_grant()
    {
        await using var h = await IdpHarness.StartAsync(Atlassian.Shape);
        var first = h.Idp.IssueRefreshToken();
        var config = h.Config(auth: ClientAuthenticationMethod.ClientSecretPost);

        var grant = IdpAssert.Granted(await h.RequestAsync(config, IdpHarness.Credentials(first)));
        IdpAssert.ExpiresIn(grant, 3600);
        Assert.NotEqual(first, grant.RefreshToken);
        IdpAssert.Granted(await h.RequestAsync(config, IdpHarness.Credentials(grant.RefreshToken)));

        var reuse = IdpHarness.Credentials(first);
        var failure = IdpAssert.Rejected(await h.RequestAsync(config, reuse), "invalid_grant", reuse);
        Assert.Equal(403, failure.HttpStatus);
    }
}
