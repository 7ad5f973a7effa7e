using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// The classification table of docs/token-monitor.md: every fault mode through the real HTTP stack (Duende.IdentityModel over HttpClient from
/// IHttpClientFactory) against the in-process OpenIddict server on 127.0.0.1 behind its fault layer.
/// </summary>
public sealed class RealHttpClassificationTests(AuthServerFixture fixture) : IClassFixture<AuthServerFixture>
{
    private TestAuthorizationServer Server => fixture.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<AuthServerFault, FailureClass, FailureKind, int, string?, bool> FaultTable => new()
    {
        { AuthServerFault.WafHtml403, FailureClass.Transient, FailureKind.NotOAuthResponse, 403, null, false },
        { AuthServerFault.Html200, FailureClass.Transient, FailureKind.NotOAuthResponse, 200, null, false },
        { AuthServerFault.ServerError500, FailureClass.Transient, FailureKind.ServerError, 500, null, false },
        { AuthServerFault.ServiceUnavailable503, FailureClass.Transient, FailureKind.ServerError, 503, null, true },
        { AuthServerFault.TooManyRequests429, FailureClass.Transient, FailureKind.RateLimited, 429, null, true },
        { AuthServerFault.InvalidClient, FailureClass.Permanent, FailureKind.OAuthError, 401, "invalid_client", false },
        { AuthServerFault.TemporarilyUnavailable, FailureClass.Transient, FailureKind.OAuthError, 400, "temporarily_unavailable", false },
        { AuthServerFault.JsonWithoutAccessToken, FailureClass.Permanent, FailureKind.InvalidTokenResponse, 200, null, false },
    };

    [Theory]
    [MemberData(nameof(FaultTable))]
    public async Task Fault_layer_answers_are_classified(AuthServerFault fault, FailureClass expectedClass, FailureKind kind, int status, string? code, bool retryAfter)
    {
        var credentials = await fixture.SeededCredentials();
        Server.RetryAfter = TimeSpan.FromSeconds(7);
        Server.SetFault(fault, times: 1);

        var result = await fixture.NewClient().RequestTokenAsync(fixture.Config(), credentials, Ct);

        var failure = Assert.IsType<TokenFailure>(result.Failure);
        Assert.Equal(expectedClass, failure.Class);
        Assert.Equal(kind, failure.Kind);
        Assert.Equal(status, failure.HttpStatus);
        Assert.Equal(code, failure.ErrorCode);
        Assert.Equal(retryAfter ? TimeSpan.FromSeconds(7) : null, failure.RetryAfter);
        AssertSanitised(failure, credentials);
    }

    [Fact]
    public async Task Waf_403_really_has_no_content_type_and_no_error_code()
    {
        Server.SetFault(AuthServerFault.WafHtml403, times: 1);
        using var http = new HttpClient();
        using var response = await http.PostAsync(Server.TokenEndpoint, new StringContent(string.Empty), Ct);

        Assert.Equal(403, (int)response.StatusCode);
        Assert.Null(response.Content.Headers.ContentType);
        Assert.DoesNotContain("error", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Really_revoked_refresh_token_is_a_permanent_invalid_grant()
    {
        var credentials = await fixture.SeededCredentials();
        Server.RevokeRefreshTokens(AuthServerFixture.ConfidentialClient);

        var result = await fixture.NewClient().RequestTokenAsync(fixture.Config(), credentials, Ct);

        var failure = Assert.IsType<TokenFailure>(result.Failure);
        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal("invalid_grant", failure.ErrorCode);
        Assert.Equal(Reasons.CredentialsRejected, failure.Reason);
        Assert.Equal(400, failure.HttpStatus);
        AssertSanitised(failure, credentials);
    }

    [Fact]
    public async Task Real_invalid_client_from_a_wrong_secret_is_permanent()
    {
        var credentials = await fixture.SeededCredentials() with { ClientSecret = "wrong-secret" };

        var result = await fixture.NewClient().RequestTokenAsync(fixture.Config(), credentials, Ct);

        Assert.Equal(FailureClass.Permanent, result.Failure!.Class);
        Assert.Equal("invalid_client", result.Failure.ErrorCode);
        AssertSanitised(result.Failure, credentials);
    }

    [Fact]
    public async Task Refresh_rotates_and_reuse_of_the_old_token_is_rejected()
    {
        var credentials = await fixture.SeededCredentials();
        var client = fixture.NewClient();

        var first = await client.RequestTokenAsync(fixture.Config(), credentials, Ct);
        var grant = Assert.IsType<TokenGrant>(first.Grant);
        Assert.False(string.IsNullOrEmpty(grant.AccessToken));
        Assert.Equal("Bearer", grant.TokenType);
        Assert.NotNull(grant.RefreshToken);
        Assert.NotEqual(credentials.RefreshToken, grant.RefreshToken);
        Assert.InRange((grant.ExpiresAt!.Value - grant.IssuedAt).TotalMinutes, 59, 61);

        var reuse = await client.RequestTokenAsync(fixture.Config(), credentials, Ct);
        Assert.Equal("invalid_grant", reuse.Failure!.ErrorCode);
    }

    [Theory]
    [InlineData(ClientAuthenticationMethod.ClientSecretBasic)]
    [InlineData(ClientAuthenticationMethod.ClientSecretPost)]
    [InlineData(ClientAuthenticationMethod.None)]
    public async Task Refresh_grant_with_each_client_authentication_via_discovery(ClientAuthenticationMethod auth)
    {
        var credentials = await fixture.SeededCredentials(auth);

        var result = await fixture.NewClient().RequestTokenAsync(fixture.Config(auth: auth, discovery: true), credentials, Ct);

        Assert.Null(result.Failure);
        Assert.NotNull(result.Grant!.RefreshToken);
    }

    [Fact]
    public async Task Client_credentials_grant_with_resource_and_configured_lifetime()
    {
        Server.AccessTokenLifetime = TimeSpan.FromMinutes(5);
        try
        {
            var config = fixture.Config(GrantType.ClientCredentials) with { Resource = "https://sourcegraph.example.com" };
            var result = await fixture.NewClient().RequestTokenAsync(config, new MonitorCredentials("v1", AuthServerFixture.ConfidentialSecret, null), Ct);

            var grant = Assert.IsType<TokenGrant>(result.Grant);
            Assert.Null(grant.RefreshToken);
            Assert.InRange((grant.ExpiresAt!.Value - grant.IssuedAt).TotalMinutes, 4, 6);
        }
        finally
        {
            Server.AccessTokenLifetime = TimeSpan.FromHours(1);
        }
    }

    [Fact]
    public async Task Refresh_grant_without_a_refresh_token_fails_permanently_without_a_request()
    {
        Server.ResetCounters();

        var result = await fixture.NewClient().RequestTokenAsync(fixture.Config(), new MonitorCredentials("v1", AuthServerFixture.ConfidentialSecret, null), Ct);

        Assert.Equal(FailureClass.Permanent, result.Failure!.Class);
        Assert.Equal("SecretKeyMissing", result.Failure.Reason);
        Assert.Equal(0, Server.TokenRequestCount);
    }

    [Fact]
    public async Task Reset_mid_response_is_transient()
    {
        var credentials = await fixture.SeededCredentials();
        Server.SetFault(AuthServerFault.ResetMidResponse, times: 1);

        var result = await fixture.NewClient().RequestTokenAsync(fixture.Config(), credentials, Ct);

        Assert.Equal(FailureClass.Transient, result.Failure!.Class);
        Assert.Equal(FailureKind.Connection, result.Failure.Kind);
    }

    [Fact]
    public async Task Hang_past_the_request_timeout_is_transient()
    {
        var credentials = await fixture.SeededCredentials();
        Server.SetFault(AuthServerFault.Hang, times: 1);

        var result = await fixture.NewClient(TimeSpan.FromMilliseconds(300)).RequestTokenAsync(fixture.Config(), credentials, Ct);

        Assert.Equal(FailureClass.Transient, result.Failure!.Class);
        Assert.Equal(FailureKind.Timeout, result.Failure.Kind);
    }

    [Fact]
    public async Task Our_own_stop_is_not_a_failure()
    {
        var credentials = await fixture.SeededCredentials();
        Server.SetFault(AuthServerFault.Hang, times: 1);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.NewClient().RequestTokenAsync(fixture.Config(), credentials, stop.Token));
    }

    [Fact]
    public async Task Unresolvable_host_is_a_transient_dns_failure()
    {
        var config = fixture.Config() with { TokenEndpoint = new Uri("http://idp.remoteworkload-test.invalid/connect/token") };

        var result = await fixture.NewClient().RequestTokenAsync(config, new MonitorCredentials("v1", "x", "y"), Ct);

        Assert.Equal(FailureClass.Transient, result.Failure!.Class);
        Assert.Equal(FailureKind.Dns, result.Failure.Kind);
    }

    [Fact]
    public async Task Self_signed_tls_is_a_transient_TlsFailure_naming_the_untrusted_chain()
    {
        var credentials = await fixture.SeededCredentials();
        var config = fixture.Config() with { TokenEndpoint = Server.TlsTokenEndpoint };

        var result = await fixture.NewClient().RequestTokenAsync(config, credentials, Ct);

        Assert.Equal(FailureClass.Transient, result.Failure!.Class);
        Assert.Equal(Reasons.TlsFailure, result.Failure.Reason);
        Assert.Contains("UntrustedRoot", result.Failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovery_answering_nonsense_is_a_permanent_DiscoveryFailed()
    {
        Server.DiscoveryFault = AuthServerFault.DiscoveryNonsense;
        try
        {
            var result = await fixture.NewClient().RequestTokenAsync(fixture.Config(discovery: true), new MonitorCredentials("v1", "x", "y"), Ct);

            Assert.Equal(FailureClass.Permanent, result.Failure!.Class);
            Assert.Equal(Reasons.DiscoveryFailed, result.Failure.Reason);
        }
        finally
        {
            Server.DiscoveryFault = AuthServerFault.None;
        }
    }

    [Fact]
    public async Task Discovery_unavailable_is_transient_and_is_retried_on_the_next_request()
    {
        var credentials = await fixture.SeededCredentials();
        var client = fixture.NewClient();
        Server.DiscoveryFault = AuthServerFault.ServiceUnavailable503;
        TokenRequestResult failed;
        try
        {
            failed = await client.RequestTokenAsync(fixture.Config(discovery: true), credentials, Ct);
        }
        finally
        {
            Server.DiscoveryFault = AuthServerFault.None;
        }

        Assert.Equal(FailureClass.Transient, failed.Failure!.Class);
        var ok = await client.RequestTokenAsync(fixture.Config(discovery: true), credentials, Ct);
        Assert.NotNull(ok.Grant);
    }

    [Fact]
    public async Task Counts_token_requests_with_timestamps()
    {
        var credentials = await fixture.SeededCredentials();
        Server.ResetCounters();
        var before = DateTimeOffset.UtcNow;
        Server.SetFault(AuthServerFault.ServerError500, times: 1);
        var client = fixture.NewClient();

        _ = await client.RequestTokenAsync(fixture.Config(), credentials, Ct);
        _ = await client.RequestTokenAsync(fixture.Config(), credentials, Ct);

        Assert.Equal(2, Server.TokenRequestCount);
        Assert.All(Server.TokenRequestTimes, t => Assert.True(t >= before));
    }

    internal static void AssertSanitised(TokenFailure failure, MonitorCredentials credentials)
    {
        var text = failure.ToString();
        Assert.DoesNotContain(credentials.RefreshToken!, text, StringComparison.Ordinal);
        if (credentials.ClientSecret is { } secret)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("<html", text, StringComparison.OrdinalIgnoreCase);
        Assert.True(failure.Description.Length <= 300);
    }
}

/// <summary>Connection refused needs its own server: the listener is stopped and started again.</summary>
public sealed class RealHttpConnectionRefusedTests
{
    [Fact]
    public async Task Stopped_listener_is_connection_refused_then_recovers_on_restart()
    {
        await using var fixture = new AuthServerFixture();
        await fixture.InitializeAsync();
        var credentials = await fixture.SeededCredentials();
        var client = fixture.NewClient();

        await fixture.Server.StopListenerAsync(TestContext.Current.CancellationToken);
        var refused = await client.RequestTokenAsync(fixture.Config(), credentials, TestContext.Current.CancellationToken);

        Assert.Equal(FailureClass.Transient, refused.Failure!.Class);
        Assert.Equal(FailureKind.Connection, refused.Failure.Kind);
        Assert.Contains("refused", refused.Failure.Description, StringComparison.Ordinal);

        await fixture.Server.StartListenerAsync(TestContext.Current.CancellationToken);
        var ok = await client.RequestTokenAsync(fixture.Config(), credentials, TestContext.Current.CancellationToken);
        Assert.NotNull(ok.Grant);
    }
}
