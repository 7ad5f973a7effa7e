using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

public sealed class CognitoTests
{
    [Fact]
    public async Task Client_credentials_via_discovery_with_the_token_endpoint_on_the_user_pool_domain()
    {
        await using var h = await IdpHarness.StartAsync(Cognito.Shape);

        var grant = IdpAssert.Granted(await h.RequestAsync(h.Config(GrantType.ClientCredentials), IdpHarness.Credentials(null)));

        Assert.Equal("localhost", grant.TokenEndpoint!.Host);
        IdpAssert.ExpiresIn(grant, 3600);
        Assert.DoesNotContain(h.Paths, p => p.EndsWith("jwks.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refresh_without_rotation_keeps_the_same_refresh_token_usable()
    {
        await using var h = await IdpHarness.StartAsync(Cognito.Shape);
        var refreshToken = h.Idp.IssueRefreshToken();

        Assert.Null(IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(refreshToken))).RefreshToken);
        IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(refreshToken)));
    }

    [Fact]
    public async Task Bare_invalid_client_without_description_is_permanent()
    {
        await using var h = await IdpHarness.StartAsync(Cognito.Shape);
        var credentials = IdpHarness.Credentials(null, secret: "wrong-secret-value");

        var failure = IdpAssert.Rejected(await h.RequestAsync(h.Config(GrantType.ClientCredentials), credentials), "invalid_client", credentials);

        Assert.Equal(400, failure.HttpStatus);
    }
}
