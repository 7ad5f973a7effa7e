using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.IdpCompatibility;

/// <summary>RFC 9728: the workload names only its URL; the resource tells where its authorization server is.</summary>
public sealed class ProtectedResourceDiscoveryTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Token_endpoint_is_found_from_the_resource_with_or_without_a_resource_metadata_challenge(bool challenge)
    {
        await using var h = await IdpHarness.StartAsync(McpAuthorizationServer.Shape);
        await using var resource = await McpProtectedResource.StartAsync([h.Idp.Issuer!], challenge, TestContext.Current.CancellationToken);

        var grant = IdpAssert.Granted(await h.RequestAsync(FromResource(resource.Url), IdpHarness.Credentials(null)));

        Assert.Equal(h.Idp.Issuer!.OriginalString, grant.DiscoveredIssuer);
        Assert.Equal(h.Idp.TokenEndpoint, grant.TokenEndpoint);
        Assert.Equal(resource.Url.AbsoluteUri, Assert.Single(h.Idp.TokenRequests).Field("resource"));
        Assert.Single(resource.Server.RequestsTo(resource.MetadataUrl.AbsolutePath));
    }

    [Fact]
    public async Task A_resource_given_in_the_spec_wins_over_the_resource_url()
    {
        await using var h = await IdpHarness.StartAsync(McpAuthorizationServer.Shape);
        await using var resource = await McpProtectedResource.StartAsync([h.Idp.Issuer!], cancellationToken: TestContext.Current.CancellationToken);

        IdpAssert.Granted(await h.RequestAsync(FromResource(resource.Url) with { Resource = "https://api.example.com" }, IdpHarness.Credentials(null)));

        Assert.Equal("https://api.example.com", Assert.Single(h.Idp.TokenRequests).Field("resource"));
    }

    [Fact]
    public async Task Several_authorization_servers_need_spec_oauth_authorizationServer()
    {
        await using var h = await IdpHarness.StartAsync(McpAuthorizationServer.Shape);
        var other = new Uri("https://login.example.com/tenant");
        await using var resource = await McpProtectedResource.StartAsync([other, h.Idp.Issuer!], cancellationToken: TestContext.Current.CancellationToken);

        var ambiguous = await h.RequestAsync(FromResource(resource.Url), IdpHarness.Credentials(null));
        var chosen = await h.RequestAsync(FromResource(resource.Url) with { AuthorizationServer = h.Idp.Issuer }, IdpHarness.Credentials(null));

        var failure = Assert.IsType<TokenFailure>(ambiguous.Failure);
        Assert.Equal(Reasons.DiscoveryFailed, failure.Reason);
        Assert.Contains("spec.oauth.authorizationServer", failure.Description, StringComparison.Ordinal);
        IdpAssert.Granted(chosen);
    }

    [Fact]
    public async Task An_authorization_server_the_resource_does_not_list_is_refused()
    {
        await using var h = await IdpHarness.StartAsync(McpAuthorizationServer.Shape);
        await using var resource = await McpProtectedResource.StartAsync([h.Idp.Issuer!], cancellationToken: TestContext.Current.CancellationToken);

        var result = await h.RequestAsync(FromResource(resource.Url) with { AuthorizationServer = new Uri("https://evil.example.com") }, IdpHarness.Credentials(null));

        Assert.Equal(Reasons.DiscoveryFailed, result.Failure!.Reason);
        Assert.Empty(h.Idp.TokenRequests);
    }

    private static TokenMonitorConfig FromResource(Uri url) => new()
    {
        WorkloadKey = "team-a/mcp",
        ResourceUrl = url,
        Grant = GrantType.ClientCredentials,
        ClientId = FixtureIdp.ClientId,
    };
}
