using RemoteWorkloadOperator.Tokens.Discovery;

namespace RemoteWorkloadOperator.Tests.Tokens;

public sealed class DiscoveryLocationTests
{
    [Fact]
    public void A_root_issuer_has_the_rfc8414_then_the_oidc_document()
    {
        Assert.Equal(
            ["https://idp.example.com/.well-known/oauth-authorization-server", "https://idp.example.com/.well-known/openid-configuration"],
            MetadataLocations.ForIssuer(new Uri("https://idp.example.com/")).Select(u => u.AbsoluteUri));
    }

    [Fact]
    public void A_path_issuer_tries_inserted_rfc8414_then_inserted_and_appended_oidc()
    {
        Assert.Equal(
            [
                "https://login.example.com/.well-known/oauth-authorization-server/tenant/v2.0",
                "https://login.example.com/.well-known/openid-configuration/tenant/v2.0",
                "https://login.example.com/tenant/v2.0/.well-known/openid-configuration",
            ],
            MetadataLocations.ForIssuer(new Uri("https://login.example.com/tenant/v2.0/")).Select(u => u.AbsoluteUri));
    }

    [Fact]
    public void A_resource_with_a_path_tries_the_path_aware_document_then_the_root_one()
    {
        Assert.Equal(
            ["https://mcp.example.com/.well-known/oauth-protected-resource/mcp", "https://mcp.example.com/.well-known/oauth-protected-resource"],
            MetadataLocations.ForResource(new Uri("https://mcp.example.com/mcp")).Select(u => u.AbsoluteUri));
    }

    [Theory]
    [InlineData("resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\", error=\"invalid_token\"")]
    [InlineData("error=\"invalid_token\", resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\"")]
    [InlineData("realm=\"a, b\", resource_metadata=https://mcp.example.com/.well-known/oauth-protected-resource/mcp")]
    public void Resource_metadata_is_read_from_a_bearer_challenge(string parameters)
    {
        var url = WwwAuthenticateParser.ResourceMetadata([("Basic", "realm=\"x\""), ("Bearer", parameters)]);

        Assert.Equal(new Uri("https://mcp.example.com/.well-known/oauth-protected-resource/mcp"), url);
    }

    [Fact]
    public void A_challenge_without_resource_metadata_names_nothing() =>
        Assert.Null(WwwAuthenticateParser.ResourceMetadata([("Bearer", "realm=\"mcp\"")]));

    [Theory]
    [InlineData("https://tenant.auth0.com", "https://tenant.auth0.com/", true)]
    [InlineData("https://IDP.example.com/realms/a", "https://idp.example.com/realms/a", true)]
    [InlineData("https://idp.example.com/realms/a", "https://idp.example.com/realms/b", false)]
    [InlineData("https://idp.example.com", "https://idp.example.com/tenant", false)]
    public void Issuers_are_compared_ignoring_one_trailing_slash_and_host_case(string a, string b, bool same) =>
        Assert.Equal(same, IssuerComparison.Same(a, b));

    [Theory]
    [InlineData("https://MCP.example.com/mcp#frag", "https://mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com/", "https://mcp.example.com")]
    public void Canonical_resource_is_lower_case_without_fragment_or_root_slash(string url, string canonical) =>
        Assert.Equal(canonical, TokenEndpointDiscovery.CanonicalResource(new Uri(url)));
}
