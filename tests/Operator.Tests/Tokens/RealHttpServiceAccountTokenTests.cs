using k8s;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.ControlPlane;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// <c>clientAuthentication: ServiceAccountToken</c> for real: the operator's credentials source asks the control plane's
/// TokenRequest API for a token, the token client presents it as the jwt-bearer client assertion, and the OpenIddict
/// test server verifies it against the cluster's JWKS (a federated credential: issuer, subject, audience).
/// </summary>
public sealed class RealHttpServiceAccountTokenTests(FederatedClusterFixture fixture) : IClassFixture<FederatedClusterFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_token_of_the_trusted_service_account_is_accepted_and_each_request_presents_a_fresh_one()
    {
        var (clientId, account) = await SetUpAsync();
        var accepted = fixture.Server.FederatedAssertionsAccepted;

        var first = await RequestAsync(clientId, account);
        var second = await RequestAsync(clientId, account);

        Assert.False(string.IsNullOrEmpty(Assert.IsType<TokenGrant>(first.Result.Grant).AccessToken));
        Assert.NotNull(second.Result.Grant);
        Assert.NotEqual(first.Assertion, second.Assertion);
        Assert.Equal(accepted + 2, fixture.Server.FederatedAssertionsAccepted);
    }

    [Fact]
    public async Task A_token_of_another_service_account_is_a_permanent_invalid_client_with_a_remediation_naming_the_method()
    {
        var (clientId, _) = await SetUpAsync();
        var other = $"other-{Guid.NewGuid():N}"[..20];
        await fixture.ServiceAccountAsync(other);

        var (result, assertion) = await RequestAsync(clientId, other);

        var failure = Assert.IsType<TokenFailure>(result.Failure);
        Assert.Equal((FailureClass.Permanent, "invalid_client", Reasons.CredentialsRejected), (failure.Class, failure.ErrorCode, failure.Reason));
        Assert.DoesNotContain(assertion.Split('.')[1], failure.ToString(), StringComparison.Ordinal);
        var transition = TokenTransitions.Apply(MonitorState.Initial, MonitorWork.Initial, AttemptOutcome.Failed(failure, "v1"), 1, DateTimeOffset.UtcNow, Config(clientId, other), 0.5);
        var message = transition.Update!.Event!.Message;
        Assert.Contains("ServiceAccount token of", message, StringComparison.Ordinal);
        Assert.Contains($"system:serviceaccount:default:{other}", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_for_another_audience_or_from_another_cluster_is_refused()
    {
        var (clientId, account) = await SetUpAsync();
        await using var otherCluster = await LocalControlPlane.StartAsync(cancellationToken: Ct);
        var otherAdmin = otherCluster.CreateAdminClient();
        await otherAdmin.CoreV1.CreateNamespacedServiceAccountAsync(new k8s.Models.V1ServiceAccount { Metadata = new k8s.Models.V1ObjectMeta { Name = account } }, "default", cancellationToken: Ct);
        // Another cluster's token for the same ServiceAccount name and audience: its issuer and keys are not the trusted ones.
        var foreign = await new KubernetesServiceAccountTokens(otherAdmin).RequestTokenAsync("default", account, FederatedClusterFixture.Audience, 600, Ct);

        var wrongAudience = await fixture.Auth.NewClient().RequestTokenAsync(Config(clientId, account), await TokenAsync(account, "api://somewhere-else"), Ct);
        var otherIssuer = await fixture.Auth.NewClient().RequestTokenAsync(Config(clientId, account), new MonitorCredentials("v1", null, null) { ServiceAccountToken = foreign }, Ct);

        Assert.Equal("invalid_client", Assert.IsType<TokenFailure>(wrongAudience.Failure).ErrorCode);
        Assert.Equal("invalid_client", Assert.IsType<TokenFailure>(otherIssuer.Failure).ErrorCode);
    }

    [Fact]
    public async Task The_server_refuses_a_service_account_token_presented_twice()
    {
        var (clientId, account) = await SetUpAsync();
        var credentials = await TokenAsync(account, FederatedClusterFixture.Audience);
        var replays = fixture.Server.ReplayedFederatedAssertions;

        var first = await fixture.Auth.NewClient().RequestTokenAsync(Config(clientId, account), credentials, Ct);
        var replayed = await fixture.Auth.NewClient().RequestTokenAsync(Config(clientId, account), credentials, Ct);

        Assert.NotNull(first.Grant);
        Assert.Equal("invalid_client", Assert.IsType<TokenFailure>(replayed.Failure).ErrorCode);
        Assert.Equal(replays + 1, fixture.Server.ReplayedFederatedAssertions);
    }

    [Fact]
    public async Task A_service_account_without_the_opt_in_gets_no_token_requested()
    {
        var account = $"closed-{Guid.NewGuid():N}"[..20];
        await fixture.ServiceAccountAsync(account, allowedWorkloads: "someone-else, another");
        var tokens = new CountingServiceAccountTokens(new KubernetesServiceAccountTokens(fixture.ControlPlane.CreateAdminClient()));

        var error = await Assert.ThrowsAsync<CredentialsUnavailableException>(() => Source(account, tokens).GetAsync(Ct).AsTask());

        Assert.Equal(Reasons.ServiceAccountNotPermitted, error.Reason);
        Assert.Contains($"{WorkloadAnnotations.AllowedWorkloads}: my-workload", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, tokens.Requested);
    }

    [Fact]
    public async Task A_token_request_the_operator_may_not_make_names_the_missing_permission_and_carries_no_body()
    {
        var account = $"denied-{Guid.NewGuid():N}"[..20];
        await fixture.ServiceAccountAsync(account);
        using var unprivileged = fixture.ControlPlane.CreateClientFor("default", "no-rbac");

        var error = await Assert.ThrowsAsync<ServiceAccountTokenUnavailableException>(() =>
            new KubernetesServiceAccountTokens(unprivileged).RequestTokenAsync("default", account, FederatedClusterFixture.Audience, 600, Ct));

        Assert.Contains($"ServiceAccount default/{account}", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 403", error.Message, StringComparison.Ordinal);
        Assert.Contains("create on serviceaccounts/token", error.Message, StringComparison.Ordinal);
        // The Kubernetes client's exception (request and response bodies) is not kept.
        Assert.Null(error.InnerException);
        Assert.DoesNotContain(FederatedClusterFixture.Audience, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*", true)]
    [InlineData("my-workload", true)]
    [InlineData("a, my-workload ,b", true)]
    [InlineData("my-workload-2", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void The_opt_in_names_the_workload_or_is_a_star(string? annotation, bool permitted)
    {
        var account = new k8s.Models.V1ServiceAccount
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "sa", Annotations = annotation is null ? null : new Dictionary<string, string> { [WorkloadAnnotations.AllowedWorkloads] = annotation } },
        };

        Assert.Equal(permitted, ServiceAccountOptIn.Permits(account, "my-workload"));
    }

    private async Task<(string ClientId, string Account)> SetUpAsync()
    {
        var account = $"idp-{Guid.NewGuid():N}"[..20];
        await fixture.ServiceAccountAsync(account);
        var clientId = $"federated-{Guid.NewGuid():N}";
        fixture.RegisterFederatedClient(clientId, account);
        return (clientId, account);
    }

    private async Task<(TokenRequestResult Result, string Assertion)> RequestAsync(string clientId, string account)
    {
        var credentials = await Source(account).GetAsync(Ct);
        return (await fixture.Auth.NewClient().RequestTokenAsync(Config(clientId, account), credentials, Ct), credentials.ServiceAccountToken!);
    }

    private async Task<MonitorCredentials> TokenAsync(string account, string audience) =>
        new("v1", null, null) { ServiceAccountToken = await new KubernetesServiceAccountTokens(fixture.ControlPlane.CreateAdminClient()).RequestTokenAsync("default", account, audience, 600, Ct) };

    private KubernetesCredentialsSource Source(string account, IServiceAccountTokens? tokens = null)
    {
        var admin = fixture.ControlPlane.CreateAdminClient();
        var secrets = new LiveSecretReader(admin);
        return new KubernetesCredentialsSource(secrets, new RefreshTokenStateStore(admin, secrets), new WorkloadReference("default", "my-workload", "uid-1"), null, null, null,
            new ServiceAccountTokenSpec { Name = account, Audience = FederatedClusterFixture.Audience }, tokens ?? new KubernetesServiceAccountTokens(admin));
    }

    private sealed class CountingServiceAccountTokens(IServiceAccountTokens inner) : IServiceAccountTokens
    {
        private int _requested;

        public int Requested => Volatile.Read(ref _requested);

        public Task<k8s.Models.V1ServiceAccount?> GetAsync(string @namespace, string name, CancellationToken cancellationToken) => inner.GetAsync(@namespace, name, cancellationToken);

        public Task<string> RequestTokenAsync(string @namespace, string name, string audience, long expirationSeconds, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requested);
            return inner.RequestTokenAsync(@namespace, name, audience, expirationSeconds, cancellationToken);
        }
    }

    private TokenMonitorConfig Config(string clientId, string account) =>
        fixture.Auth.Config(GrantType.ClientCredentials, ClientAuthenticationMethod.ServiceAccountToken, discovery: true) with
        {
            WorkloadKey = "default/my-workload",
            ClientId = clientId,
            ServiceAccountName = account,
            ServiceAccountAudience = FederatedClusterFixture.Audience,
        };
}
