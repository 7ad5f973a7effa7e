using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

public sealed class SlackTests
{
    [Fact]
    public async Task Rotation_refresh_publishes_the_bot_token_as_a_bearer_token()
    {
        await using var h = await IdpHarness.StartAsync(Slack.Shape);
        var first = h.Idp.IssueRefreshToken();

        var grant = IdpAssert.Granted(await h.RequestAsync(h.Config(auth: ClientAuthenticationMethod.ClientSecretPost), IdpHarness.Credentials(first)));

        Assert.StartsWith("xoxe.xoxb-", grant.AccessToken, StringComparison.Ordinal);
        IdpAssert.ExpiresIn(grant, 43200);
        Assert.StartsWith("xoxe-1-", grant.RefreshToken, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ok_false_invalid_refresh_token_with_http_200_is_permanent()
    {
        await using var h = await IdpHarness.StartAsync(Slack.Shape);
        var first = h.Idp.IssueRefreshToken();
        var config = h.Config(auth: ClientAuthenticationMethod.ClientSecretPost);
        IdpAssert.Granted(await h.RequestAsync(config, IdpHarness.Credentials(first)));

        var reuse = IdpHarness.Credentials(first);
        IdpAssert.Rejected(await h.RequestAsync(config, reuse), "invalid_refresh_token", reuse);
    }
}
