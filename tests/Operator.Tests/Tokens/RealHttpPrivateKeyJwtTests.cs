using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// <c>private_key_jwt</c> (RFC 7523 §2.2) through the real token client against the OpenIddict test server, which
/// verifies each assertion against the registered public key and refuses a repeated <c>jti</c>.
/// </summary>
public sealed class RealHttpPrivateKeyJwtTests(AuthServerFixture fixture) : IClassFixture<AuthServerFixture>, IDisposable
{
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private TestAuthorizationServer Server => fixture.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Client_credentials_with_an_rsa_pem_key_is_accepted_and_each_request_signs_a_new_assertion()
    {
        var clientId = Register(new RsaSecurityKey(_rsa.ExportParameters(false)));
        var credentials = Credentials(_rsa.ExportPkcs8PrivateKeyPem());
        var client = fixture.NewClient();

        var first = await client.RequestTokenAsync(Config(clientId), credentials, Ct);
        var second = await client.RequestTokenAsync(Config(clientId), credentials, Ct);

        Assert.False(string.IsNullOrEmpty(Assert.IsType<TokenGrant>(first.Grant).AccessToken));
        Assert.NotNull(second.Grant);
    }

    [Fact]
    public async Task Ps256_and_an_ec_jwk_with_es256_are_accepted()
    {
        var rsaClient = Register(new RsaSecurityKey(_rsa.ExportParameters(false)));
        var ecClient = Register(new ECDsaSecurityKey(ECDsa.Create(_ec.ExportParameters(false))));

        var ps256 = await fixture.NewClient().RequestTokenAsync(Config(rsaClient) with { SigningAlgorithm = "PS256" }, Credentials(_rsa.ExportRSAPrivateKeyPem()), Ct);
        var es256 = await fixture.NewClient().RequestTokenAsync(Config(ecClient), Credentials(ClientAssertionSignerTests.PrivateJwk(_ec, "ec-1")), Ct);

        Assert.NotNull(ps256.Grant);
        Assert.NotNull(es256.Grant);
    }

    [Fact]
    public async Task A_key_the_idp_does_not_hold_is_a_permanent_invalid_client()
    {
        var clientId = Register(new RsaSecurityKey(_rsa.ExportParameters(false)));
        using var other = RSA.Create(2048);
        var pem = other.ExportPkcs8PrivateKeyPem();

        var result = await fixture.NewClient().RequestTokenAsync(Config(clientId), Credentials(pem), Ct);

        var failure = Assert.IsType<TokenFailure>(result.Failure);
        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal("invalid_client", failure.ErrorCode);
        Assert.Equal(Reasons.CredentialsRejected, failure.Reason);
        AssertNoKeyMaterial(failure, pem);
    }

    [Fact]
    public async Task A_server_that_wants_the_7523bis_profile_refuses_the_classic_one_permanently()
    {
        var clientId = Register(new RsaSecurityKey(_rsa.ExportParameters(false)));

        var result = await fixture.NewClient().RequestTokenAsync(Config(clientId) with { AssertionAudienceIsIssuer = false }, Credentials(_rsa.ExportPkcs8PrivateKeyPem()), Ct);

        // The classic profile (token endpoint audience, typ JWT): OpenIddict requires the explicit type and refuses the
        // assertion as invalid_client (a wrong audience alone it answers invalid_token): permanent either way.
        var failure = Assert.IsType<TokenFailure>(result.Failure);
        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal("invalid_client", failure.ErrorCode);
        Assert.Equal(Reasons.CredentialsRejected, failure.Reason);
    }

    [Fact]
    public async Task The_server_refuses_an_assertion_whose_jti_was_already_used()
    {
        var clientId = Register(new RsaSecurityKey(_rsa.ExportParameters(false)));
        var assertion = ClientAssertionSigner.Create(_rsa.ExportPkcs8PrivateKeyPem(), clientId, Server.Issuer.AbsoluteUri, null, null, DateTimeOffset.UtcNow);
        var replaysBefore = Server.ReplayedAssertions;

        var first = await PostAssertionAsync(clientId, assertion);
        var replayed = await PostAssertionAsync(clientId, assertion);

        Assert.Equal(200, first.Status);
        Assert.Equal((401, true), (replayed.Status, replayed.Body.Contains("jti was already used", StringComparison.Ordinal)));
        Assert.Contains("invalid_client", replayed.Body, StringComparison.Ordinal);
        Assert.Equal(replaysBefore + 1, Server.ReplayedAssertions);
    }

    [Fact]
    public async Task An_unreadable_key_fails_permanently_before_any_request_and_names_the_field_not_the_key()
    {
        var clientId = Register(new RsaSecurityKey(_rsa.ExportParameters(false)));
        const string Garbage = "-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZS1rZXktbWF0ZXJpYWw=\n-----END PRIVATE KEY-----";
        Server.ResetCounters();

        var result = await fixture.NewClient().RequestTokenAsync(Config(clientId), Credentials(Garbage), Ct);

        var failure = Assert.IsType<TokenFailure>(result.Failure);
        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal(Reasons.InvalidPrivateKey, failure.Reason);
        Assert.StartsWith("spec.oauth.privateKeySecretRef:", failure.Description, StringComparison.Ordinal);
        Assert.Equal(0, Server.TokenRequestCount);
        AssertNoKeyMaterial(failure, Garbage);
    }

    [Fact]
    public void Credentials_print_no_private_key()
    {
        var pem = _rsa.ExportPkcs8PrivateKeyPem();

        var text = Credentials(pem).ToString();

        Assert.Contains("PrivateKey = ***", text, StringComparison.Ordinal);
        Assert.DoesNotContain(pem[40..80], text, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _rsa.Dispose();
        _ec.Dispose();
    }

    private string Register(SecurityKey publicKey)
    {
        var clientId = $"jwt-client-{Guid.NewGuid():N}";
        Server.RegisterAssertionClient(clientId, publicKey);
        return clientId;
    }

    private TokenMonitorConfig Config(string clientId) =>
        fixture.Config(GrantType.ClientCredentials, ClientAuthenticationMethod.PrivateKeyJwt, discovery: true) with { ClientId = clientId, AssertionAudienceIsIssuer = true };

    private static MonitorCredentials Credentials(string privateKey) => new("v1", null, null) { PrivateKey = privateKey };

    private async Task<(int Status, string Body)> PostAssertionAsync(string clientId, string assertion)
    {
        using var http = new HttpClient();
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_assertion_type"] = ClientAssertionSigner.JwtBearerAssertionType,
            ["client_assertion"] = assertion,
        });
        using var response = await http.PostAsync(Server.TokenEndpoint, content, Ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private static void AssertNoKeyMaterial(TokenFailure failure, string pem)
    {
        var body = pem.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("-----", StringComparison.Ordinal));
        foreach (var line in body)
        {
            Assert.DoesNotContain(line, failure.Description, StringComparison.Ordinal);
            Assert.DoesNotContain(line, failure.ToString(), StringComparison.Ordinal);
        }
    }
}
