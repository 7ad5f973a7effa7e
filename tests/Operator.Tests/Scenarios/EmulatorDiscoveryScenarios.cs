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
public sealed class EmulatorDiscoveryScenarios(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    [Fact]
    public async Task Workload_without_issuer_and_tokenUrl_reaches_Running_through_protected_resource_metadata()
    {
        await using var authorizationServer = await FixtureIdp.StartAsync(McpAuthorizationServer.Shape, cancellationToken: Cancel);
        await using var resource = await McpProtectedResource.StartAsync([authorizationServer.Issuer!], cancellationToken: Cancel);
        var ns = await Environment.NewNamespaceAsync("rfc9728", Cancel);
        await Workloads.CreateSecretAsync(
            Admin,
            ns,
            "creds",
            new Dictionary<string, string> { ["client_secret"] = FixtureIdp.ClientSecret, ["refresh_token"] = authorizationServer.IssueRefreshToken() },
            Cancel);
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel);

        await Workloads.CreateAsync(Admin, DiscoveringWorkload(ns, resource.Url), Cancel);
        var workload = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);

        Assert.Equal(Reasons.TokenIssued, workload.Status!.Reason);
        Assert.Equal(authorizationServer.Issuer!.OriginalString, workload.Status.AuthorizationServer?.Issuer);
        Assert.Equal(authorizationServer.TokenEndpoint.AbsoluteUri, workload.Status.AuthorizationServer?.TokenEndpoint);
        var tokenRequest = Assert.Single(authorizationServer.TokenRequests);
        Assert.Equal("refresh_token", tokenRequest.Field("grant_type"));
        Assert.Equal(resource.Url.AbsoluteUri, tokenRequest.Field("resource"));
        Assert.Single(resource.Server.RequestsTo(resource.MetadataUrl.AbsolutePath));
        Assert.Single(authorizationServer.Server.RequestsTo("/.well-known/oauth-authorization-server" + McpAuthorizationServer.IssuerPath));
        Assert.DoesNotContain(authorizationServer.Server.Requests, r => r.Path.Contains("openid-configuration", StringComparison.Ordinal));
        var secret = await Workloads.GetSecretAsync(Admin, ns, "w-token", Cancel);
        Assert.StartsWith(McpAuthorizationServer.Shape.AccessTokenPrefix, Encoding.UTF8.GetString(secret!.Data["access_token"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keycloak_refresh_token_lifetime_is_shown_in_status_with_a_RefreshTokenExpiring_condition()
    {
        await using var run = await RunningRefreshTokenWorkloadAsync(Keycloak.Shape, "keycloak");
        var (keycloak, workload) = (run.Idp, run.Workload);

        var token = workload.Status!.Token!;
        Assert.Equal(Keycloak.RefreshExpiresIn, (token.RefreshTokenExpiresAt!.Value - token.LastRefreshTime!.Value).TotalSeconds, 2.0);
        var condition = workload.Status.Conditions!.Single(c => c.Type == ConditionTypes.RefreshTokenExpiring);
        Assert.Equal("False", condition.Status);
        Assert.Equal(Reasons.RefreshTokenValid, condition.Reason);
        Assert.Equal(keycloak.Issuer!.OriginalString, workload.Status.AuthorizationServer?.Issuer);
    }

    [Fact]
    public async Task Refresh_token_ending_before_the_next_refresh_raises_a_warning_event_and_condition()
    {
        // An access token of an hour and a refresh token of ten minutes: by the next refresh it is dead.
        var shape = Keycloak.Shape with
        {
            Success = grant => FixtureResponse.Json(200, new
            {
                access_token = grant.AccessToken,
                expires_in = 3600,
                refresh_expires_in = 600,
                refresh_token = grant.RefreshToken,
                token_type = "Bearer",
            }),
        };
        await using var run = await RunningRefreshTokenWorkloadAsync(shape, "keycloak-expiring");
        var (ns, workload) = (run.Namespace, run.Workload);

        var condition = workload.Status!.Conditions!.Single(c => c.Type == ConditionTypes.RefreshTokenExpiring);
        Assert.Equal("True", condition.Status);
        Assert.Equal(Reasons.RefreshTokenExpiring, condition.Reason);
        var events = await Workloads.EventsAsync(Admin, ns, "w", Cancel);
        var warning = Assert.Single(events, e => e.Reason == Reasons.RefreshTokenExpiring);
        Assert.Equal("Warning", warning.Type);
        Assert.Contains("credentials Secret", warning.Message, StringComparison.Ordinal);
    }

    /// <summary>An IdP of <paramref name="shape"/>, the operator, and a refresh-token workload "w" of its own namespace, Running.</summary>
    private async Task<IdpRun> RunningRefreshTokenWorkloadAsync(IdpShape shape, string namespacePrefix)
    {
        var idp = await FixtureIdp.StartAsync(shape, cancellationToken: Cancel);
        var ns = await Environment.NewNamespaceAsync(namespacePrefix, Cancel);
        await Workloads.CreateSecretAsync(
            Admin,
            ns,
            "creds",
            new Dictionary<string, string> { ["client_secret"] = FixtureIdp.ClientSecret, ["refresh_token"] = idp.IssueRefreshToken() },
            Cancel);
        var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer!, FixtureIdp.ClientId, "creds"), Cancel);
        var workload = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);
        return new IdpRun(idp, op, ns, workload);
    }

    private sealed record IdpRun(FixtureIdp Idp, ScenarioOperator Operator, string Namespace, RemoteWorkload Workload) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Operator.DisposeAsync();
            await Idp.DisposeAsync();
        }
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
