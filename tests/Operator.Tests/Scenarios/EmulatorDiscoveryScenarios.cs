using System.Text;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures.Idps;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// The controller finding its authorization server from the workload's own URL: a loopback MCP-like resource
/// that answers 401 with <c>resource_metadata</c>, and an authorization server that serves only RFC 8414 metadata.
/// </summary>
public sealed class EmulatorDiscoveryScenarios(EmulatorEnvironment environment) : IClassFixture<EmulatorEnvironment>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    private Kubernetes Admin => environment.Admin;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Workload_without_issuer_and_tokenUrl_reaches_Running_through_protected_resource_metadata()
    {
        await using var authorizationServer = await FixtureIdp.StartAsync(McpAuthorizationServer.Shape, cancellationToken: Cancel);
        await using var resource = await McpProtectedResource.StartAsync([authorizationServer.Issuer!], cancellationToken: Cancel);
        var ns = await environment.NewNamespaceAsync("rfc9728", Cancel);
        await Workloads.CreateSecretAsync(
            Admin,
            ns,
            "creds",
            new Dictionary<string, string> { ["client_secret"] = FixtureIdp.ClientSecret, ["refresh_token"] = authorizationServer.IssueRefreshToken() },
            Cancel);
        await using var op = await ScenarioOperator.StartAsync(environment.OperatorConfiguration, ns, cancellationToken: Cancel);

        await Workloads.CreateAsync(Admin, DiscoveringWorkload(ns, resource.Url), Cancel);
        var workload = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);

        Assert.Equal(Reasons.TokenIssued, workload.Status!.Reason);
        var tokenRequest = Assert.Single(authorizationServer.TokenRequests);
        Assert.Equal("refresh_token", tokenRequest.Field("grant_type"));
        Assert.Equal(resource.Url.AbsoluteUri, tokenRequest.Field("resource"));
        Assert.Single(resource.Server.RequestsTo(resource.MetadataUrl.AbsolutePath));
        Assert.Single(authorizationServer.Server.RequestsTo("/.well-known/oauth-authorization-server" + McpAuthorizationServer.IssuerPath));
        Assert.DoesNotContain(authorizationServer.Server.Requests, r => r.Path.Contains("openid-configuration", StringComparison.Ordinal));
        var secret = await Workloads.GetSecretAsync(Admin, ns, "w-token", Cancel);
        Assert.StartsWith(McpAuthorizationServer.Shape.AccessTokenPrefix, Encoding.UTF8.GetString(secret!.Data["access_token"]), StringComparison.Ordinal);
    }

    private static RemoteWorkload DiscoveringWorkload(string ns, Uri url) => new()
    {
        Metadata = new V1ObjectMeta { Name = "w", NamespaceProperty = ns },
        Spec = new RemoteWorkloadSpec
        {
            Url = url.AbsoluteUri,
            OAuth = new OAuthSpec
            {
                Grant = GrantTypes.RefreshToken,
                ClientId = FixtureIdp.ClientId,
                ClientSecretRef = new SecretKeyReference { Name = "creds", Key = "client_secret" },
                RefreshTokenSecretRef = new SecretKeyReference { Name = "creds", Key = "refresh_token" },
            },
        },
    };
}
