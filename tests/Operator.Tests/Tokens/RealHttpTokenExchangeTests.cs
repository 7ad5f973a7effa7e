using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// RFC 8693 token exchange for real: a ServiceAccount token from the local control plane as the <c>subject_token</c>
/// (<c>urn:ietf:params:oauth:token-type:jwt</c>), exchanged at the OpenIddict test server, which trusts the cluster's
/// issuer for this client and subject (as Google's Security Token Service trusts a workload identity pool provider).
/// </summary>
public sealed class RealHttpTokenExchangeTests(FederatedClusterFixture fixture) : IClassFixture<FederatedClusterFixture>
{
    private const string Audience = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/pool/providers/cluster";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_trusted_subject_token_is_exchanged_for_an_access_token_issued_to_its_subject()
    {
        var (clientId, account) = await SetUpAsync();
        var accepted = fixture.Server.SubjectTokensAccepted;

        var result = await fixture.Auth.NewClient().RequestTokenAsync(Config(clientId), await SubjectAsync(account), Ct);

        var grant = Assert.IsType<TokenGrant>(result.Grant);
        var issued = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(grant.AccessToken);
        Assert.Equal($"system:serviceaccount:default:{account}", issued.Subject);
        Assert.Equal(accepted + 1, fixture.Server.SubjectTokensAccepted);
        Assert.Null(grant.RefreshToken);
    }

    [Fact]
    public async Task A_subject_token_of_another_subject_is_a_permanent_invalid_grant()
    {
        var (clientId, _) = await SetUpAsync();
        var other = $"other-{Guid.NewGuid():N}"[..20];
        await fixture.ServiceAccountAsync(other);
        var subject = await SubjectAsync(other);

        var result = await fixture.Auth.NewClient().RequestTokenAsync(Config(clientId), subject, Ct);

        var failure = Assert.IsType<TokenFailure>(result.Failure);
        Assert.Equal((FailureClass.Permanent, "invalid_grant", Reasons.CredentialsRejected), (failure.Class, failure.ErrorCode, failure.Reason));
        Assert.DoesNotContain(subject.SubjectToken!.Split('.')[1], failure.ToString(), StringComparison.Ordinal);
        var message = TokenTransitions.Apply(MonitorState.Initial, MonitorWork.Initial, AttemptOutcome.Failed(failure, "v1"), 1, DateTimeOffset.UtcNow, Config(clientId), 0.5).Update!.Event!.Message;
        Assert.Contains("token exchange", message, StringComparison.Ordinal);
        Assert.Contains("urn:ietf:params:oauth:token-type:jwt", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subject_token_presented_twice_is_refused_the_second_time()
    {
        var (clientId, account) = await SetUpAsync();
        var subject = await SubjectAsync(account);

        var first = await fixture.Auth.NewClient().RequestTokenAsync(Config(clientId), subject, Ct);
        var second = await fixture.Auth.NewClient().RequestTokenAsync(Config(clientId), subject, Ct);

        Assert.NotNull(first.Grant);
        Assert.Equal("invalid_grant", Assert.IsType<TokenFailure>(second.Failure).ErrorCode);
    }

    [Fact]
    public async Task An_unsupported_subject_token_type_is_a_permanent_failure()
    {
        var (clientId, account) = await SetUpAsync();

        var result = await fixture.Auth.NewClient().RequestTokenAsync(Config(clientId) with { SubjectTokenType = "urn:ietf:params:oauth:token-type:saml2" }, await SubjectAsync(account), Ct);

        var failure = Assert.IsType<TokenFailure>(result.Failure);
        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal(Reasons.CredentialsRejected, failure.Reason);
    }

    [Fact]
    public async Task Without_a_subject_token_no_request_is_sent()
    {
        var (clientId, _) = await SetUpAsync();
        var before = fixture.Server.TokenRequestCount;

        var result = await fixture.Auth.NewClient().RequestTokenAsync(Config(clientId), new MonitorCredentials("v1", null, null), Ct);

        Assert.Equal(FailureClass.Permanent, Assert.IsType<TokenFailure>(result.Failure).Class);
        Assert.Equal(before, fixture.Server.TokenRequestCount);
    }

    private async Task<(string ClientId, string Account)> SetUpAsync()
    {
        var account = $"sts-{Guid.NewGuid():N}"[..20];
        await fixture.ServiceAccountAsync(account);
        var clientId = $"exchange-{Guid.NewGuid():N}";
        fixture.Server.RegisterClient(clientId, null);
        fixture.Server.TrustSubjectTokens(clientId, new(fixture.ClusterIssuer, $"system:serviceaccount:default:{account}", Audience, FederatedClusterFixture.TrustingCluster(fixture.ControlPlane)));
        return (clientId, account);
    }

    private async Task<MonitorCredentials> SubjectAsync(string account) =>
        new("v1", null, null) { SubjectToken = await new KubernetesServiceAccountTokens(fixture.ControlPlane.CreateAdminClient()).RequestTokenAsync("default", account, Audience, 600, Ct) };

    private TokenMonitorConfig Config(string clientId) =>
        fixture.Auth.Config(GrantType.TokenExchange, ClientAuthenticationMethod.None, discovery: true) with
        {
            ClientId = clientId,
            ExchangeAudience = Audience,
            SubjectTokenType = "urn:ietf:params:oauth:token-type:jwt",
        };
}
