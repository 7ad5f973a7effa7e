using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>What a request needs and the credentials lack, one rule for the monitor and the token client.</summary>
public sealed class MissingCredentialTests
{
    private static readonly TokenMonitorConfig Base = new() { WorkloadKey = "team-a/w", TokenEndpoint = new Uri("https://idp.example.com/token"), ClientId = "c" };

    public static TheoryData<string, GrantType, ClientAuthenticationMethod, string?> Rows => new()
    {
        // row, grant, client authentication, missing reason (null: nothing missing)
        { "refresh token grant without a refresh token", GrantType.RefreshToken, ClientAuthenticationMethod.ClientSecretBasic, Reasons.SecretKeyMissing },
        { "token exchange without a subject token", GrantType.TokenExchange, ClientAuthenticationMethod.None, Reasons.SecretKeyMissing },
        { "ServiceAccount assertion without a token", GrantType.ClientCredentials, ClientAuthenticationMethod.ServiceAccountToken, Reasons.ServiceAccountNotFound },
        { "mutual TLS without a certificate", GrantType.ClientCredentials, ClientAuthenticationMethod.TlsClientAuth, Reasons.SecretKeyMissing },
        { "client credentials with a secret need nothing more", GrantType.ClientCredentials, ClientAuthenticationMethod.ClientSecretBasic, null },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task A_request_without_what_it_needs_is_named_before_anything_is_sent(string row, GrantType grant, ClientAuthenticationMethod method, string? reason)
    {
        var config = Base with { Grant = grant, ClientAuthentication = method };
        var credentials = new MonitorCredentials("v1", "secret", RefreshToken: null);

        var missing = credentials.MissingFor(config);
        // No HTTP client exists here: a client that tried to send would throw instead of answering.
        var answer = reason is null ? null : await new TokenEndpointClient(null!, TimeProvider.System, new TokenClientOptions()).RequestTokenAsync(config, credentials, TestContext.Current.CancellationToken);

        Assert.True(reason == missing?.Reason, $"{row}: {missing?.Reason}");
        Assert.Equal(reason, answer?.Failure?.Reason);
        Assert.Equal(reason is null ? null : FailureClass.Permanent, answer?.Failure?.Class);
    }
}
