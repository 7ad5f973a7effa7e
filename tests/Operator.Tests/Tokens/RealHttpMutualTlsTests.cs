using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Hosting;
using RemoteWorkloadOperator.Testing.AuthServer;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// RFC 8705 mutual-TLS client authentication through the real token client against the OpenIddict test server, whose
/// TLS listener asks for a client certificate, checks it per client (self-signed: the registered certificate; PKI: the
/// test CA and the registered subject) and binds the access token to it (<c>cnf.x5t#S256</c>).
/// </summary>
public sealed class RealHttpMutualTlsTests : IAsyncLifetime
{
    private const string Subject = "CN=billing-agent, O=remoteworkload tests";

    private TestAuthorizationServer _server = null!;
    private ServiceProvider _services = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestAuthorizationServer.StartAsync(new AuthServerOptions { PublishMutualTlsAlias = true }, Ct);
        // Discovery goes through the named client, the token request through a mutual-TLS one: both trust the test server.
        _services = new ServiceCollection()
            .AddTokenEngine(Options, http => http.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = TrustTestServer } }))
            .BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Self_signed_tls_client_auth_is_accepted_and_the_bound_token_names_the_certificate()
    {
        using var certificate = TestAuthorizationServer.SelfSignedClientCertificate("CN=self-signed-agent");
        _server.RegisterSelfSignedTlsClient("self-signed-agent", certificate);

        var result = await Client().RequestTokenAsync(Config("self-signed-agent", ClientAuthenticationMethod.SelfSignedTlsClientAuth), Credentials(certificate), Ct);

        var grant = Assert.IsType<TokenGrant>(result.Grant);
        Assert.Equal(1, _server.AcceptedClientCertificates);
        // The IdP bound the token to the certificate it saw on the connection, and the binding says which one.
        var bound = new JsonWebToken(grant.AccessToken).GetPayloadValue<System.Text.Json.JsonElement>("cnf").GetProperty("x5t#S256").GetString();
        Assert.Equal(Thumbprint(certificate), bound);
        Assert.Equal($"x5t#S256:{Thumbprint(certificate)}", grant.TokenBinding);
    }

    [Fact]
    public async Task Tls_client_auth_with_a_certificate_of_the_trusted_CA_is_accepted()
    {
        using var certificate = _server.IssueClientCertificate(Subject);
        _server.RegisterTlsClient("pki-agent", Subject);

        var result = await Client().RequestTokenAsync(Config("pki-agent", ClientAuthenticationMethod.TlsClientAuth), Credentials(certificate), Ct);

        Assert.NotNull(result.Grant);
        Assert.Equal(1, _server.AcceptedClientCertificates);
        Assert.Equal($"x5t#S256:{Thumbprint(certificate)}", result.Grant.TokenBinding);
    }

    [Theory]
    [InlineData(ClientAuthenticationMethod.SelfSignedTlsClientAuth)]
    [InlineData(ClientAuthenticationMethod.TlsClientAuth)]
    public async Task A_certificate_the_idp_does_not_accept_is_a_permanent_invalid_client(ClientAuthenticationMethod method)
    {
        using var registered = TestAuthorizationServer.SelfSignedClientCertificate(Subject);
        _server.RegisterSelfSignedTlsClient("self-signed-agent", registered);
        _server.RegisterTlsClient("pki-agent", Subject);
        // Same subject, but self-signed: neither the registered certificate nor one of the trusted CA.
        using var other = TestAuthorizationServer.SelfSignedClientCertificate(Subject);
        var clientId = method == ClientAuthenticationMethod.TlsClientAuth ? "pki-agent" : "self-signed-agent";

        var result = await Client().RequestTokenAsync(Config(clientId, method), Credentials(other), Ct);

        var failure = Assert.IsType<TokenFailure>(result.Failure);
        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal("invalid_client", failure.ErrorCode);
        Assert.Equal(Reasons.CredentialsRejected, failure.Reason);
        Assert.Equal(0, _server.AcceptedClientCertificates);
        AssertNoKeyMaterial(failure, other);
    }

    [Fact]
    public async Task With_discovery_the_request_goes_to_the_mtls_alias_of_the_token_endpoint()
    {
        using var certificate = TestAuthorizationServer.SelfSignedClientCertificate("CN=self-signed-agent");
        _server.RegisterSelfSignedTlsClient("self-signed-agent", certificate);

        var result = await Client().RequestTokenAsync(Config("self-signed-agent", ClientAuthenticationMethod.SelfSignedTlsClientAuth, discovery: true), Credentials(certificate), Ct);

        Assert.NotNull(result.Grant);
        Assert.Equal(new Uri(_server.TlsIssuer, TestAuthorizationServer.MutualTlsAliasPath), result.Grant.TokenEndpoint);
        Assert.Equal(1, _server.MutualTlsAliasRequests);
    }

    [Fact]
    public async Task A_key_that_is_not_the_certificates_is_a_permanent_InvalidClientCertificate_without_key_material()
    {
        using var certificate = TestAuthorizationServer.SelfSignedClientCertificate("CN=self-signed-agent");
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var wrong = new ClientCertificatePem(certificate.ExportCertificatePem(), otherKey.ExportPkcs8PrivateKeyPem());
        _server.RegisterSelfSignedTlsClient("self-signed-agent", certificate);

        var mismatched = await Client().RequestTokenAsync(Config("self-signed-agent", ClientAuthenticationMethod.SelfSignedTlsClientAuth), Credentials(wrong), Ct);
        var notPem = await Client().RequestTokenAsync(Config("self-signed-agent", ClientAuthenticationMethod.SelfSignedTlsClientAuth), Credentials(new ClientCertificatePem("not a certificate", wrong.PrivateKey)), Ct);

        foreach (var failure in new[] { mismatched.Failure, notPem.Failure })
        {
            Assert.NotNull(failure);
            Assert.Equal(FailureClass.Permanent, failure.Class);
            Assert.Equal(Reasons.InvalidClientCertificate, failure.Reason);
            Assert.StartsWith("spec.oauth.clientCertificateSecretRef: ", failure.Description, StringComparison.Ordinal);
            foreach (var line in PemBody(wrong.PrivateKey))
            {
                Assert.DoesNotContain(line, failure.Description, StringComparison.Ordinal);
                Assert.DoesNotContain(line, failure.ToString(), StringComparison.Ordinal);
            }
        }

        Assert.Contains("tls.key", mismatched.Failure!.Description, StringComparison.Ordinal);
        Assert.Contains("tls.crt", notPem.Failure!.Description, StringComparison.Ordinal);
        Assert.Equal(0, _server.TokenRequestCount);
    }

    [Fact]
    public async Task A_rotated_certificate_gets_its_own_handler_and_the_old_one_is_disposed()
    {
        using var first = TestAuthorizationServer.SelfSignedClientCertificate("CN=self-signed-agent");
        using var second = TestAuthorizationServer.SelfSignedClientCertificate("CN=self-signed-agent");
        _server.RegisterSelfSignedTlsClient("self-signed-agent", second);
        var handlers = new MutualTlsClients(Options);
        var client = new TokenEndpointClient(_services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System, Options, handlers);
        var config = Config("self-signed-agent", ClientAuthenticationMethod.SelfSignedTlsClientAuth);

        var refused = await client.RequestTokenAsync(config, Credentials(first), Ct);
        var accepted = await client.RequestTokenAsync(config, Credentials(second), Ct);

        // Only the second certificate is registered: the second request presented it, not a pooled connection's first.
        Assert.Equal("invalid_client", refused.Failure?.ErrorCode);
        Assert.Equal($"x5t#S256:{Thumbprint(second)}", accepted.Grant?.TokenBinding);
        Assert.Equal(1, handlers.OpenHandlers);
    }

    [Fact]
    public async Task The_operators_egress_guard_applies_to_the_mutual_TLS_handlers()
    {
        var guarded = Options with
        {
            ConfigureMutualTlsHandler = handler => handler.ConnectCallback = GuardedConnect.Using((_, _) => ValueTask.FromResult(new[] { IPAddress.Parse("169.254.169.254") })),
        };
        using var certificate = TestAuthorizationServer.SelfSignedClientCertificate("CN=self-signed-agent");
        var client = new TokenEndpointClient(_services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System, guarded, new MutualTlsClients(guarded));
        var config = Config("self-signed-agent", ClientAuthenticationMethod.SelfSignedTlsClientAuth) with { TokenEndpoint = new Uri("https://idp.example.com/token") };

        var failure = (await client.RequestTokenAsync(config, Credentials(certificate), Ct)).Failure;

        Assert.Equal(Reasons.EndpointNotAllowed, failure?.Reason);
    }

    [Fact]
    public async Task The_operator_wiring_sets_the_egress_guard_on_mutual_TLS_handlers()
    {
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddRemoteWorkloadOperator(new OperatorOptions(), new k8s.KubernetesClientConfiguration { Host = "https://127.0.0.1:1" }, Prometheus.Metrics.NewCustomRegistry())
            .BuildServiceProvider();
        using var handler = new SocketsHttpHandler();

        services.GetRequiredService<TokenClientOptions>().ConfigureMutualTlsHandler!(handler);

        Assert.NotNull(handler.ConnectCallback);
    }

    [Fact]
    public async Task A_workload_whose_agent_is_removed_releases_its_certificate_handler()
    {
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddRemoteWorkloadOperator(new OperatorOptions(), new k8s.KubernetesClientConfiguration { Host = "https://127.0.0.1:1" }, Prometheus.Metrics.NewCustomRegistry())
            .BuildServiceProvider();
        var handlers = services.GetRequiredService<MutualTlsClients>();
        var registry = services.GetRequiredService<RemoteWorkloadOperator.Controller.MonitorRegistry>();
        using var certificate = TestAuthorizationServer.SelfSignedClientCertificate("CN=agent");
        var workload = new RemoteWorkload { Metadata = new k8s.Models.V1ObjectMeta { Name = "w", NamespaceProperty = "team-a", Uid = "uid-1" }, Spec = new RemoteWorkloadSpec { Url = "https://api.example.com/", OAuth = new OAuthSpec { ClientId = "c" } } };
        registry.GetOrCreate(workload);
        handlers.For("team-a/w", Pem(certificate));

        await registry.RemoveAsync("team-a/w");

        Assert.Equal(0, handlers.OpenHandlers);
    }

    private TokenClientOptions Options => new()
    {
        RequestTimeout = TimeSpan.FromSeconds(10),
        ConfigureMutualTlsHandler = handler => handler.SslOptions.RemoteCertificateValidationCallback = TrustTestServer,
    };

    private TokenEndpointClient Client() => new(_services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System, Options, new MutualTlsClients(Options));

    private bool TrustTestServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        certificate is not null && certificate.GetCertHashString() == _server.TlsCertificate!.GetCertHashString();

    private TokenMonitorConfig Config(string clientId, ClientAuthenticationMethod method, bool discovery = false) => new()
    {
        WorkloadKey = "team-a/mtls",
        Issuer = discovery ? _server.TlsIssuer : null,
        TokenEndpoint = discovery ? null : _server.TlsTokenEndpoint,
        Grant = GrantType.ClientCredentials,
        ClientId = clientId,
        ClientAuthentication = method,
    };

    private static MonitorCredentials Credentials(X509Certificate2 certificate) => Credentials(Pem(certificate));

    private static MonitorCredentials Credentials(ClientCertificatePem pem) => new("v1", null, null) { ClientCertificate = pem };

    internal static ClientCertificatePem Pem(X509Certificate2 certificate) =>
        new(certificate.ExportCertificatePem(), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

    internal static string Thumbprint(X509Certificate2 certificate) => Base64UrlEncoder.Encode(certificate.GetCertHash(HashAlgorithmName.SHA256));

    internal static IEnumerable<string> PemBody(string pem) =>
        pem.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith("-----", StringComparison.Ordinal));

    private static void AssertNoKeyMaterial(TokenFailure failure, X509Certificate2 certificate)
    {
        foreach (var line in PemBody(Pem(certificate).PrivateKey))
        {
            Assert.DoesNotContain(line, failure.Description, StringComparison.Ordinal);
            Assert.DoesNotContain(line, failure.ToString(), StringComparison.Ordinal);
        }
    }
}
