using Microsoft.Extensions.Time.Testing;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

public sealed class Auth0Tests
{
    [Fact]
    public async Task Issuer_with_a_trailing_slash_matches_the_spec_issuer_without_one()
    {
        await using var h = await IdpHarness.StartAsync(Auth0.Shape);
        var config = h.Config() with { Issuer = new Uri(h.Idp.Server.BaseUrl) };

        var grant = IdpAssert.Granted(await h.RequestAsync(config, IdpHarness.Credentials(h.Idp.IssueRefreshToken())));

        IdpAssert.ExpiresIn(grant, 86400);
        Assert.StartsWith("v1.M_", grant.RefreshToken, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Paths, p => p.EndsWith("jwks.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reuse_after_the_reuse_interval_revokes_the_family_so_the_newest_token_fails_too()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await IdpHarness.StartAsync(Auth0.Shape, clock);
        var first = h.Idp.IssueRefreshToken();
        var rotated = IdpAssert.Granted(await h.RequestAsync(h.Config(), IdpHarness.Credentials(first))).RefreshToken!;

        clock.Advance(Auth0.ReuseInterval + TimeSpan.FromSeconds(1));
        var reuse = IdpHarness.Credentials(first);
        var failure = IdpAssert.Rejected(await h.RequestAsync(h.Config(), reuse), "invalid_grant", reuse);
        Assert.Equal(403, failure.HttpStatus);

        var newest = IdpHarness.Credentials(rotated);
        IdpAssert.Rejected(await h.RequestAsync(h.Config(), newest), "invalid_grant", newest);
    }

    [Fact]
    public async Task Wrong_secret_answers_access_denied_which_is_a_permanent_rejection()
    {
        await using var h = await IdpHarness.StartAsync(Auth0.Shape);
        var credentials = IdpHarness.Credentials(null, secret: "wrong-secret-value");

        IdpAssert.Rejected(await h.RequestAsync(h.Config(GrantType.ClientCredentials), credentials), "access_denied", credentials);
    }
}
