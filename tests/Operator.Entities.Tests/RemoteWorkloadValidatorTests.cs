using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;

namespace RemoteWorkloadOperator.Entities.Tests;

public sealed class RemoteWorkloadValidatorTests
{
    private static KubeDuration D(string text) => KubeDuration.FromText(text);

    /// <summary>Every rule of api.md: a mutation of a valid workload, the field blamed, the reason.</summary>
    public static TheoryData<string, Action<RemoteWorkload>, string, string> Rules => new()
    {
        { "url missing", w => w.Spec.Url = "", "spec.url", Reasons.InvalidSpec },
        { "url relative", w => w.Spec.Url = "/api/mcp", "spec.url", Reasons.InvalidSpec },
        { "url http", w => w.Spec.Url = "http://sourcegraph.example.com", "spec.url", Reasons.InvalidSpec },
        { "url ftp", w => w.Spec.Url = "ftp://sourcegraph.example.com", "spec.url", Reasons.InvalidSpec },
        { "url with credentials", w => w.Spec.Url = "https://user:pw@sourcegraph.example.com", "spec.url", Reasons.InvalidSpec },
        { "issuer http", w => w.Spec.OAuth.Issuer = "http://idp.example.com", "spec.oauth.issuer", Reasons.InvalidSpec },
        { "tokenUrl http", w => { w.Spec.OAuth.Issuer = null; w.Spec.OAuth.TokenUrl = "http://idp.example.com/token"; }, "spec.oauth.tokenUrl", Reasons.InvalidSpec },
        { "both issuer and tokenUrl", w => w.Spec.OAuth.TokenUrl = "https://idp.example.com/token", "spec.oauth", Reasons.InvalidSpec },
        { "authorizationServer with issuer", w => w.Spec.OAuth.AuthorizationServer = "https://as.example.com", "spec.oauth.authorizationServer", Reasons.InvalidSpec },
        { "authorizationServer http", w => { w.Spec.OAuth.Issuer = null; w.Spec.OAuth.AuthorizationServer = "http://as.example.com"; }, "spec.oauth.authorizationServer", Reasons.InvalidSpec },
        { "authorizationServer metadata address", w => { w.Spec.OAuth.Issuer = null; w.Spec.OAuth.AuthorizationServer = "https://169.254.169.254"; }, "spec.oauth.authorizationServer", Reasons.EndpointNotAllowed },
        { "grant missing", w => w.Spec.OAuth.Grant = "", "spec.oauth.grant", Reasons.InvalidSpec },
        { "grant unknown", w => w.Spec.OAuth.Grant = "Password", "spec.oauth.grant", Reasons.InvalidSpec },
        { "RefreshToken without refreshTokenSecretRef", w => w.Spec.OAuth.RefreshTokenSecretRef = null, "spec.oauth.refreshTokenSecretRef", Reasons.InvalidSpec },
        { "ClientCredentials with refreshTokenSecretRef", w => w.Spec.OAuth.Grant = GrantTypes.ClientCredentials, "spec.oauth.refreshTokenSecretRef", Reasons.InvalidSpec },
        { "clientId missing", w => w.Spec.OAuth.ClientId = " ", "spec.oauth.clientId", Reasons.InvalidSpec },
        { "client secret missing for basic auth", w => w.Spec.OAuth.ClientSecretRef = null, "spec.oauth.clientSecretRef", Reasons.InvalidSpec },
        { "client secret given for public client", w => w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.None, "spec.oauth.clientSecretRef", Reasons.InvalidSpec },
        { "client authentication unknown", w => w.Spec.OAuth.ClientAuthentication = "ClientSecretJwt", "spec.oauth.clientAuthentication", Reasons.InvalidSpec },
        { "PrivateKeyJwt without privateKeySecretRef", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.PrivateKeyJwt; w.Spec.OAuth.ClientSecretRef = null; }, "spec.oauth.privateKeySecretRef", Reasons.InvalidSpec },
        { "PrivateKeyJwt with a client secret", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.PrivateKeyJwt; w.Spec.OAuth.PrivateKeySecretRef = new SecretKeyReference { Name = "jwt-key", Key = "tls.key" }; }, "spec.oauth.clientSecretRef", Reasons.InvalidSpec },
        { "privateKeySecretRef bad key", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.PrivateKeyJwt; w.Spec.OAuth.ClientSecretRef = null; w.Spec.OAuth.PrivateKeySecretRef = new SecretKeyReference { Name = "jwt-key", Key = "a key" }; }, "spec.oauth.privateKeySecretRef.key", Reasons.InvalidSpec },
        { "ServiceAccountToken without serviceAccountToken", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.ServiceAccountToken; w.Spec.OAuth.ClientSecretRef = null; }, "spec.oauth.serviceAccountToken", Reasons.InvalidSpec },
        { "ServiceAccountToken with a client secret", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.ServiceAccountToken; w.Spec.OAuth.ServiceAccountToken = new ServiceAccountTokenSpec { Name = "idp", Audience = "api://AzureADTokenExchange" }; }, "spec.oauth.clientSecretRef", Reasons.InvalidSpec },
        { "serviceAccountToken without ServiceAccountToken", w => w.Spec.OAuth.ServiceAccountToken = new ServiceAccountTokenSpec { Name = "idp", Audience = "aud" }, "spec.oauth.serviceAccountToken", Reasons.InvalidSpec },
        { "serviceAccountToken in another namespace", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.ServiceAccountToken; w.Spec.OAuth.ClientSecretRef = null; w.Spec.OAuth.ServiceAccountToken = new ServiceAccountTokenSpec { Name = "kube-system/admin", Audience = "aud" }; }, "spec.oauth.serviceAccountToken.name", Reasons.InvalidSpec },
        { "serviceAccountToken as a username", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.ServiceAccountToken; w.Spec.OAuth.ClientSecretRef = null; w.Spec.OAuth.ServiceAccountToken = new ServiceAccountTokenSpec { Name = "system:serviceaccount:kube-system:admin", Audience = "aud" }; }, "spec.oauth.serviceAccountToken.name", Reasons.InvalidSpec },
        { "serviceAccountToken without audience", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.ServiceAccountToken; w.Spec.OAuth.ClientSecretRef = null; w.Spec.OAuth.ServiceAccountToken = new ServiceAccountTokenSpec { Name = "idp", Audience = " " }; }, "spec.oauth.serviceAccountToken.audience", Reasons.InvalidSpec },
        { "serviceAccountToken lifetime under ten minutes", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.ServiceAccountToken; w.Spec.OAuth.ClientSecretRef = null; w.Spec.OAuth.ServiceAccountToken = new ServiceAccountTokenSpec { Name = "idp", Audience = "aud", ExpirationSeconds = 599 }; }, "spec.oauth.serviceAccountToken.expirationSeconds", Reasons.InvalidSpec },
        { "TokenExchange without tokenExchange", w => { w.Spec.OAuth.Grant = GrantTypes.TokenExchange; w.Spec.OAuth.RefreshTokenSecretRef = null; }, "spec.oauth.tokenExchange", Reasons.InvalidSpec },
        { "TokenExchange with refreshTokenSecretRef", w => { w.Spec.OAuth.Grant = GrantTypes.TokenExchange; w.Spec.OAuth.TokenExchange = new TokenExchangeSpec { SubjectTokenSecretRef = new SecretKeyReference { Name = "subject", Key = "token" } }; }, "spec.oauth.refreshTokenSecretRef", Reasons.InvalidSpec },
        { "TokenExchange without a subject token", w => { w.Spec.OAuth.Grant = GrantTypes.TokenExchange; w.Spec.OAuth.RefreshTokenSecretRef = null; w.Spec.OAuth.TokenExchange = new TokenExchangeSpec(); }, "spec.oauth.tokenExchange.subjectTokenSecretRef", Reasons.InvalidSpec },
        { "TokenExchange subject and assertion from one ServiceAccount", w => { w.Spec.OAuth.Grant = GrantTypes.TokenExchange; w.Spec.OAuth.RefreshTokenSecretRef = null; w.Spec.OAuth.ClientSecretRef = null; w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.ServiceAccountToken; w.Spec.OAuth.ServiceAccountToken = new ServiceAccountTokenSpec { Name = "idp", Audience = "aud" }; w.Spec.OAuth.TokenExchange = new TokenExchangeSpec(); }, "spec.oauth.tokenExchange.subjectTokenSecretRef", Reasons.InvalidSpec },
        { "tokenExchange without TokenExchange", w => w.Spec.OAuth.TokenExchange = new TokenExchangeSpec { SubjectTokenSecretRef = new SecretKeyReference { Name = "subject", Key = "token" } }, "spec.oauth.tokenExchange", Reasons.InvalidSpec },
        { "tokenExchange subjectTokenType with a space", w => { w.Spec.OAuth.Grant = GrantTypes.TokenExchange; w.Spec.OAuth.RefreshTokenSecretRef = null; w.Spec.OAuth.TokenExchange = new TokenExchangeSpec { SubjectTokenSecretRef = new SecretKeyReference { Name = "subject", Key = "token" }, SubjectTokenType = "urn:a b" }; }, "spec.oauth.tokenExchange.subjectTokenType", Reasons.InvalidSpec },
        { "TlsClientAuth without clientCertificateSecretRef", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.TlsClientAuth; w.Spec.OAuth.ClientSecretRef = null; }, "spec.oauth.clientCertificateSecretRef", Reasons.InvalidSpec },
        { "SelfSignedTlsClientAuth without clientCertificateSecretRef", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.SelfSignedTlsClientAuth; w.Spec.OAuth.ClientSecretRef = null; }, "spec.oauth.clientCertificateSecretRef", Reasons.InvalidSpec },
        { "TlsClientAuth with a client secret", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.TlsClientAuth; w.Spec.OAuth.ClientCertificateSecretRef = new TlsSecretReference { Name = "client-tls" }; }, "spec.oauth.clientSecretRef", Reasons.InvalidSpec },
        { "SelfSignedTlsClientAuth with a private key", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.SelfSignedTlsClientAuth; w.Spec.OAuth.ClientSecretRef = null; w.Spec.OAuth.ClientCertificateSecretRef = new TlsSecretReference { Name = "client-tls" }; w.Spec.OAuth.PrivateKeySecretRef = new SecretKeyReference { Name = "jwt-key", Key = "key" }; }, "spec.oauth.privateKeySecretRef", Reasons.InvalidSpec },
        { "TlsClientAuth with a ServiceAccount token", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.TlsClientAuth; w.Spec.OAuth.ClientSecretRef = null; w.Spec.OAuth.ClientCertificateSecretRef = new TlsSecretReference { Name = "client-tls" }; w.Spec.OAuth.ServiceAccountToken = new ServiceAccountTokenSpec { Name = "idp", Audience = "aud" }; }, "spec.oauth.serviceAccountToken", Reasons.InvalidSpec },
        { "clientCertificateSecretRef without a mutual-TLS method", w => w.Spec.OAuth.ClientCertificateSecretRef = new TlsSecretReference { Name = "client-tls" }, "spec.oauth.clientCertificateSecretRef", Reasons.InvalidSpec },
        { "clientCertificateSecretRef bad name", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.TlsClientAuth; w.Spec.OAuth.ClientSecretRef = null; w.Spec.OAuth.ClientCertificateSecretRef = new TlsSecretReference { Name = "Client_TLS" }; }, "spec.oauth.clientCertificateSecretRef.name", Reasons.InvalidSpec },
        { "clientCertificateRenewBefore without a certificate", w => w.Spec.OAuth.ClientCertificateRenewBefore = D("24h"), "spec.oauth.clientCertificateRenewBefore", Reasons.InvalidSpec },
        { "clientCertificateRenewBefore over a year", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.TlsClientAuth; w.Spec.OAuth.ClientSecretRef = null; w.Spec.OAuth.ClientCertificateSecretRef = new TlsSecretReference { Name = "client-tls" }; w.Spec.OAuth.ClientCertificateRenewBefore = D("9000h"); }, "spec.oauth.clientCertificateRenewBefore", Reasons.InvalidSpec },
        { "keyId without PrivateKeyJwt", w => w.Spec.OAuth.KeyId = "k1", "spec.oauth.keyId", Reasons.InvalidSpec },
        { "algorithm without PrivateKeyJwt", w => w.Spec.OAuth.Algorithm = SigningAlgorithms.RS256, "spec.oauth.algorithm", Reasons.InvalidSpec },
        { "algorithm unknown", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.PrivateKeyJwt; w.Spec.OAuth.ClientSecretRef = null; w.Spec.OAuth.PrivateKeySecretRef = new SecretKeyReference { Name = "jwt-key", Key = "key" }; w.Spec.OAuth.Algorithm = "HS256"; }, "spec.oauth.algorithm", Reasons.InvalidSpec },
        { "assertionAudience Issuer with tokenUrl", w => { w.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.PrivateKeyJwt; w.Spec.OAuth.ClientSecretRef = null; w.Spec.OAuth.PrivateKeySecretRef = new SecretKeyReference { Name = "jwt-key", Key = "key" }; w.Spec.OAuth.Issuer = null; w.Spec.OAuth.TokenUrl = "https://idp.example.com/token"; w.Spec.OAuth.AssertionAudience = AssertionAudiences.Issuer; }, "spec.oauth.assertionAudience", Reasons.InvalidSpec },
        { "secret ref without key", w => w.Spec.OAuth.ClientSecretRef!.Key = "", "spec.oauth.clientSecretRef.key", Reasons.InvalidSpec },
        { "secret ref without name", w => w.Spec.OAuth.RefreshTokenSecretRef!.Name = "", "spec.oauth.refreshTokenSecretRef.name", Reasons.InvalidSpec },
        { "secret ref bad name", w => w.Spec.OAuth.RefreshTokenSecretRef!.Name = "Idp_Creds", "spec.oauth.refreshTokenSecretRef.name", Reasons.InvalidSpec },
        { "secret ref bad key", w => w.Spec.OAuth.ClientSecretRef!.Key = "client secret", "spec.oauth.clientSecretRef.key", Reasons.InvalidSpec },
        { "scope with space", w => w.Spec.OAuth.Scopes = ["mcp:read", "a b"], "spec.oauth.scopes[1]", Reasons.InvalidSpec },
        { "resource relative", w => w.Spec.OAuth.Resource = "sourcegraph", "spec.oauth.resource", Reasons.InvalidSpec },
        { "resource with fragment", w => w.Spec.OAuth.Resource = "https://a.example.com/#x", "spec.oauth.resource", Reasons.InvalidSpec },
        { "token secret bad name", w => w.Spec.TokenSecret = new TokenSecretSpec { Name = "Token!" }, "spec.tokenSecret.name", Reasons.InvalidSpec },
        { "token secret bad ownership", w => w.Spec.TokenSecret = new TokenSecretSpec { Ownership = "Orphan" }, "spec.tokenSecret.ownership", Reasons.InvalidSpec },
        { "beforeExpiry malformed", w => w.Spec.Refresh!.BeforeExpiry = D("a minute"), "spec.refresh.beforeExpiry", Reasons.InvalidSpec },
        { "beforeExpiry zero", w => w.Spec.Refresh!.BeforeExpiry = D("0s"), "spec.refresh.beforeExpiry", Reasons.InvalidSpec },
        { "lifetimeFraction zero", w => w.Spec.Refresh!.LifetimeFraction = 0, "spec.refresh.lifetimeFraction", Reasons.InvalidSpec },
        { "lifetimeFraction one", w => w.Spec.Refresh!.LifetimeFraction = 1, "spec.refresh.lifetimeFraction", Reasons.InvalidSpec },
        { "lifetimeFraction above one", w => w.Spec.Refresh!.LifetimeFraction = 1.5, "spec.refresh.lifetimeFraction", Reasons.InvalidSpec },
        { "initialInterval negative", w => w.Spec.Retry!.InitialInterval = D("-10s"), "spec.retry.initialInterval", Reasons.InvalidSpec },
        { "maxInterval malformed", w => w.Spec.Retry!.MaxInterval = D("2 minutes"), "spec.retry.maxInterval", Reasons.InvalidSpec },
        { "maxElapsed malformed", w => w.Spec.Retry!.MaxElapsed = D("5"), "spec.retry.maxElapsed", Reasons.InvalidSpec },
        { "ceiling malformed", w => w.Spec.Retry!.Ceiling = D("1d"), "spec.retry.ceiling", Reasons.InvalidSpec },
        { "initialInterval above maxInterval", w => w.Spec.Retry!.InitialInterval = D("5m"), "spec.retry.initialInterval", Reasons.InvalidSpec },
        { "maxAttempts zero", w => w.Spec.Retry!.MaxAttempts = 0, "spec.retry.maxAttempts", Reasons.InvalidSpec },
        { "maxAttempts above 10", w => w.Spec.Retry!.MaxAttempts = 11, "spec.retry.maxAttempts", Reasons.InvalidSpec },
        { "initialInterval under a second", w => w.Spec.Retry!.InitialInterval = D("1ms"), "spec.retry.initialInterval", Reasons.InvalidSpec },
        { "maxInterval under a second", w => { w.Spec.Retry!.InitialInterval = D("1ms"); w.Spec.Retry.MaxInterval = D("999ms"); }, "spec.retry.maxInterval", Reasons.InvalidSpec },
        { "tickInterval below 10s", w => w.Spec.Retry!.TickInterval = D("5s"), "spec.retry.tickInterval", Reasons.InvalidSpec },
        { "ceiling over 30 days", w => w.Spec.Retry!.Ceiling = D("721h"), "spec.retry.ceiling", Reasons.InvalidSpec },
        { "probeInterval under a minute", w => w.Spec.Retry!.ProbeInterval = D("30s"), "spec.retry.probeInterval", Reasons.InvalidSpec },
        { "probeInterval over a day", w => w.Spec.Retry!.ProbeInterval = D("25h"), "spec.retry.probeInterval", Reasons.InvalidSpec },
        { "probeInterval malformed", w => w.Spec.Retry!.ProbeInterval = D("hourly"), "spec.retry.probeInterval", Reasons.InvalidSpec },
        { "maxInterval over a day", w => w.Spec.Retry!.MaxInterval = D("25h"), "spec.retry.maxInterval", Reasons.InvalidSpec },
        { "maxElapsed over a day", w => w.Spec.Retry!.MaxElapsed = D("25h"), "spec.retry.maxElapsed", Reasons.InvalidSpec },
        { "beforeExpiry over a day", w => w.Spec.Refresh = new RefreshSpec { BeforeExpiry = D("25h") }, "spec.refresh.beforeExpiry", Reasons.InvalidSpec },
        { "token Secret named like the state Secret", w => w.Spec.TokenSecret = new TokenSecretSpec { Name = w.Metadata.Name + "-oauth-state" }, "spec.tokenSecret.name", Reasons.InvalidSpec },
        { "name too long for the state Secret", w => w.Metadata.Name = new string('a', 242), "metadata.name", Reasons.InvalidSpec },
        { "tickInterval above ceiling", w => w.Spec.Retry!.TickInterval = D("25h"), "spec.retry.tickInterval", Reasons.InvalidSpec },
        { "tickInterval above default ceiling", w => { w.Spec.Retry!.Ceiling = null; w.Spec.Retry.TickInterval = D("48h"); }, "spec.retry.tickInterval", Reasons.InvalidSpec },
        { "ceiling below default tick", w => { w.Spec.Retry!.TickInterval = null; w.Spec.Retry.Ceiling = D("5m"); }, "spec.retry.ceiling", Reasons.InvalidSpec },
        { "url loopback", w => w.Spec.Url = "https://127.0.0.1/mcp", "spec.url", Reasons.EndpointNotAllowed },
        { "url localhost", w => w.Spec.Url = "https://localhost:8443/mcp", "spec.url", Reasons.EndpointNotAllowed },
        { "issuer metadata address", w => w.Spec.OAuth.Issuer = "https://169.254.169.254/latest", "spec.oauth.issuer", Reasons.EndpointNotAllowed },
        { "issuer link-local", w => w.Spec.OAuth.Issuer = "https://169.254.10.1", "spec.oauth.issuer", Reasons.EndpointNotAllowed },
        { "issuer google metadata", w => w.Spec.OAuth.Issuer = "https://metadata.google.internal", "spec.oauth.issuer", Reasons.EndpointNotAllowed },
        { "tokenUrl aws metadata v6", w => { w.Spec.OAuth.Issuer = null; w.Spec.OAuth.TokenUrl = "https://[fd00:ec2::254]/token"; }, "spec.oauth.tokenUrl", Reasons.EndpointNotAllowed },
        { "tokenUrl ipv6 loopback", w => { w.Spec.OAuth.Issuer = null; w.Spec.OAuth.TokenUrl = "https://[::1]/token"; }, "spec.oauth.tokenUrl", Reasons.EndpointNotAllowed },
        { "tokenUrl in-cluster api server", w => { w.Spec.OAuth.Issuer = null; w.Spec.OAuth.TokenUrl = "https://kubernetes.default.svc/token"; }, "spec.oauth.tokenUrl", Reasons.EndpointNotAllowed },
        { "url ipv4-mapped loopback", w => w.Spec.Url = "https://[::ffff:127.0.0.1]/", "spec.url", Reasons.EndpointNotAllowed },
        { "issuer alibaba metadata", w => w.Spec.OAuth.Issuer = "https://100.100.100.200/latest/meta-data", "spec.oauth.issuer", Reasons.EndpointNotAllowed },
        { "issuer oracle metadata", w => w.Spec.OAuth.Issuer = "https://192.0.0.192/opc/v1", "spec.oauth.issuer", Reasons.EndpointNotAllowed },
        { "tokenUrl azure wireserver", w => { w.Spec.OAuth.Issuer = null; w.Spec.OAuth.TokenUrl = "https://168.63.129.16/token"; }, "spec.oauth.tokenUrl", Reasons.EndpointNotAllowed },
        { "issuer tencent metadata name", w => w.Spec.OAuth.Issuer = "https://metadata.tencentyun.com", "spec.oauth.issuer", Reasons.EndpointNotAllowed },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_is_reported_with_its_field_path(string rule, Action<RemoteWorkload> breakIt, string field, string reason)
    {
        var workload = ValidWorkloads.RefreshToken();
        breakIt(workload);

        var problems = RemoteWorkloadValidator.Validate(workload);

        var problem = Assert.Single(problems, p => p.Field == field);
        Assert.Equal(reason, problem.Reason);
        Assert.False(string.IsNullOrWhiteSpace(problem.Message), rule);
        Assert.StartsWith(field + ": ", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_workload_has_no_problems()
    {
        Assert.Empty(RemoteWorkloadValidator.Validate(ValidWorkloads.RefreshToken()));
    }

    [Fact]
    public void Omitting_issuer_and_tokenUrl_is_valid_for_discovery_from_the_url()
    {
        var workload = ValidWorkloads.RefreshToken();
        workload.Spec.OAuth.Issuer = null;
        Assert.Empty(RemoteWorkloadValidator.Validate(workload));

        workload.Spec.OAuth.AuthorizationServer = "https://as.example.com/tenant";
        Assert.Empty(RemoteWorkloadValidator.Validate(workload));
    }

    [Fact]
    public void A_minimal_client_credentials_workload_is_valid()
    {
        var workload = new RemoteWorkload
        {
            Spec = new RemoteWorkloadSpec
            {
                Url = "https://billing.example.com",
                OAuth = new OAuthSpec
                {
                    TokenUrl = "https://idp.example.com/token",
                    Grant = GrantTypes.ClientCredentials,
                    ClientId = "billing",
                    ClientSecretRef = new SecretKeyReference { Name = "billing", Key = "secret" },
                },
            },
        };

        Assert.Empty(RemoteWorkloadValidator.Validate(workload));
    }

    [Theory]
    [InlineData(ClientAuthenticationMethods.TlsClientAuth)]
    [InlineData(ClientAuthenticationMethods.SelfSignedTlsClientAuth)]
    public void A_mutual_TLS_workload_with_its_certificate_Secret_is_valid(string method)
    {
        var workload = ValidWorkloads.RefreshToken();
        workload.Spec.OAuth.ClientAuthentication = method;
        workload.Spec.OAuth.ClientSecretRef = null;
        workload.Spec.OAuth.ClientCertificateSecretRef = new TlsSecretReference { Name = "client-tls" };
        workload.Spec.OAuth.ClientCertificateRenewBefore = D("720h");

        Assert.Empty(RemoteWorkloadValidator.Validate(workload));
    }

    [Fact]
    public void Every_problem_is_returned_at_once()
    {
        var workload = ValidWorkloads.RefreshToken();
        workload.Spec.Url = "http://sourcegraph.example.com";
        workload.Spec.Retry!.TickInterval = D("5s");
        workload.Spec.Refresh!.LifetimeFraction = 2;

        var fields = RemoteWorkloadValidator.Validate(workload).Select(p => p.Field).ToList();

        Assert.Equal(["spec.url", "spec.refresh.lifetimeFraction", "spec.retry.tickInterval"], fields);
    }

    [Fact]
    public void The_tick_interval_message_names_the_minimum()
    {
        var workload = ValidWorkloads.RefreshToken();
        workload.Spec.Retry!.TickInterval = D("5s");

        var problem = Assert.Single(RemoteWorkloadValidator.Validate(workload));

        Assert.Equal("spec.retry.tickInterval: must be at least 10s", problem.ToString());
    }

    [Fact]
    public void Development_switches_allow_http_and_loopback_endpoints()
    {
        var workload = ValidWorkloads.RefreshToken();
        workload.Spec.Url = "http://127.0.0.1:8080/mcp";
        workload.Spec.OAuth.Issuer = "http://localhost:5000";

        Assert.Equal(4, RemoteWorkloadValidator.Validate(workload).Count);
        Assert.Empty(RemoteWorkloadValidator.Validate(workload, new ValidationOptions { AllowInsecureEndpoints = true, AllowPrivateEndpoints = true }));
    }

    [Theory]
    [InlineData("https://10.96.0.1/token")]
    [InlineData("https://[::ffff:10.96.0.1]/token")]
    [InlineData("https://API.Cluster.Example.COM./token")]
    public void The_clusters_own_API_server_is_refused_by_the_addresses_the_operator_reaches_it_at(string tokenUrl)
    {
        var workload = ValidWorkloads.RefreshToken();
        workload.Spec.OAuth.Issuer = null;
        workload.Spec.OAuth.TokenUrl = tokenUrl;
        var inCluster = new ValidationOptions { ApiServerHosts = EndpointGuard.ApiServerHosts("10.96.0.1", "api.cluster.example.com") };

        var problem = Assert.Single(RemoteWorkloadValidator.Validate(workload, inCluster));

        Assert.Equal(Reasons.EndpointNotAllowed, problem.Reason);
        Assert.Contains("this cluster's Kubernetes API server", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Private_ranges_stay_allowed_by_default()
    {
        var workload = ValidWorkloads.RefreshToken();
        workload.Spec.OAuth.Issuer = null;
        workload.Spec.OAuth.TokenUrl = "https://10.96.0.2/token";

        Assert.Empty(RemoteWorkloadValidator.Validate(workload, new ValidationOptions { ApiServerHosts = EndpointGuard.ApiServerHosts("10.96.0.1") }));
    }

    [Fact]
    public void Cross_field_checks_use_the_operator_defaults()
    {
        var workload = ValidWorkloads.RefreshToken();
        workload.Spec.Retry = new RetrySpec { TickInterval = D("2h") };
        var defaults = RetryPolicy.Default with { Ceiling = TimeSpan.FromHours(1) };

        Assert.Empty(RemoteWorkloadValidator.Validate(workload));
        var problem = Assert.Single(RemoteWorkloadValidator.Validate(workload, new ValidationOptions { Defaults = defaults }));
        Assert.Equal("spec.retry.tickInterval", problem.Field);
    }

    [Fact]
    public void User_values_in_messages_are_shortened_and_kept_on_one_line()
    {
        var workload = ValidWorkloads.RefreshToken();
        workload.Spec.OAuth.Grant = "Pass\nword" + new string('x', 200);

        var problem = Assert.Single(RemoteWorkloadValidator.Validate(workload));

        Assert.DoesNotContain('\n', problem.Message);
        Assert.True(problem.Message.Length < 160, problem.Message);
    }
}
