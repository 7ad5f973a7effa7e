using System.Net;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.IdentityModel.Tokens;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;
using RemoteWorkloadOperator.Tests.Chaos;
using RemoteWorkloadOperator.Tests.Tokens;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// Client authentication beyond shared secrets, end to end on the emulator: the operator (with config/rbac only) and a
/// real OpenIddict server. PrivateKeyJwt with a key rotated by a Secret update; ServiceAccountToken, where the IdP
/// trusts the emulator's service-account issuer, with the ServiceAccount's opt-in and the namespace boundary;
/// SelfSignedTlsClientAuth with a certificate rotated by a Secret update.
/// </summary>
public sealed class ClientAuthenticationScenarios(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    private const string Audience = FederatedClusterFixture.Audience;
    private const string StsAudience = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/pool/providers/cluster";

    [Fact]
    public async Task PrivateKeyJwt_reaches_Running_and_a_key_rotated_in_the_Secret_is_used_for_the_next_request()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("pkjwt", Cancel);
        using var first = RSA.Create(2048);
        using var second = RSA.Create(2048);
        idp.RegisterAssertionClient("jwt-agent", new RsaSecurityKey(first.ExportParameters(false)));
        await Workloads.CreateSecretAsync(Admin, ns, "jwt-key", new Dictionary<string, string> { ["key.pem"] = first.ExportPkcs8PrivateKeyPem() }, Cancel);
        using var logs = new CapturedLogs();
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel, logCapture: logs);

        await Workloads.CreateAsync(Admin, PrivateKeyJwt(ns, "w", idp), Cancel);
        var running = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);
        var firstToken = await AccessTokenAsync(ns, "w");
        Assert.True(await AccessTokens.IsValidAsync(idp.Issuer, firstToken, Cancel));

        // The IdP now holds only the new public key: a request signed with the old key would be invalid_client.
        idp.RegisterAssertionClient("jwt-agent", new RsaSecurityKey(second.ExportParameters(false)));
        var revision = (await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.ObservedCredentialsRevision is not null, Settle, Cancel)).Status!.ObservedCredentialsRevision;
        var updated = await Admin.CoreV1.PatchNamespacedSecretAsync(
            new V1Patch(new System.Text.Json.Nodes.JsonObject { ["data"] = new System.Text.Json.Nodes.JsonObject { ["key.pem"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(second.ExportPkcs8PrivateKeyPem())) } }.ToJsonString(), V1Patch.PatchType.MergePatch),
            "jwt-key", ns, cancellationToken: Cancel);
        await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.ObservedCredentialsRevision == $"jwt-key@{updated.Metadata.ResourceVersion}", Settle, Cancel);
        // A changed credential alone does not refresh a valid token; the next request (here asked for now) signs with the new key.
        var accepted = idp.AcceptedAssertions;
        await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "after-rotation", Cancel);
        var deadline = DateTimeOffset.UtcNow + Settle;
        while (idp.AcceptedAssertions == accepted && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50, Cancel);
        }

        // The IdP accepted an assertion only the new key can have signed; the workload stays Running on its answer.
        Assert.Equal(accepted + 1, idp.AcceptedAssertions);
        var rotated = await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.LastHandledRetryRequest == "after-rotation", Settle, Cancel);
        var secondToken = await AccessTokenAsync(ns, "w");
        Assert.Equal(WorkloadPhase.Running, rotated.Status!.Phase);
        Assert.NotEqual(revision, rotated.Status.ObservedCredentialsRevision);
        Assert.Equal(Reasons.TokenIssued, rotated.Status.Reason);
        Assert.True(await AccessTokens.IsValidAsync(idp.Issuer, secondToken, Cancel));
        Assert.DoesNotContain(await Workloads.EventsAsync(Admin, ns, "w", Cancel), e => e.Type == "Warning");
        await AssertNotLeakedAsync(ns, logs, [.. PemBody(first), .. PemBody(second), firstToken, secondToken]);
    }

    [Fact]
    public async Task SelfSignedTlsClientAuth_reaches_Running_with_a_tls_Secret_and_a_certificate_rotated_in_the_Secret_is_used_for_the_next_request()
    {
        await using var idp = await TestAuthorizationServer.StartAsync(new AuthServerOptions(), Cancel);
        var ns = await Environment.NewNamespaceAsync("mtls", Cancel);
        using var first = TestAuthorizationServer.SelfSignedClientCertificate("CN=mtls-agent");
        using var second = TestAuthorizationServer.SelfSignedClientCertificate("CN=mtls-agent");
        idp.RegisterSelfSignedTlsClient("mtls-agent", first);
        await Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "client-tls" },
            Type = "kubernetes.io/tls",
            Data = TlsData(first),
        }, ns, cancellationToken: Cancel);
        using var logs = new CapturedLogs();
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel, logCapture: logs, trustedIdpCertificate: idp.TlsCertificate);

        await Workloads.CreateAsync(Admin, SelfSignedTlsClientAuth(ns, "w", idp), Cancel);
        var running = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);
        var firstToken = await AccessTokenAsync(ns, "w");
        Assert.Equal(Reasons.TokenIssued, running.Status!.Reason);
        Assert.Equal($"x5t#S256:{RealHttpMutualTlsTests.Thumbprint(first)}", await TokenBindingAsync(ns, "w"));

        // The IdP now holds only the new certificate: a request presenting the old one would be invalid_client.
        idp.RegisterSelfSignedTlsClient("mtls-agent", second);
        var updated = await Admin.CoreV1.PatchNamespacedSecretAsync(
            new V1Patch(new System.Text.Json.Nodes.JsonObject { ["data"] = new System.Text.Json.Nodes.JsonObject(TlsData(second).Select(p => KeyValuePair.Create(p.Key, (System.Text.Json.Nodes.JsonNode?)Convert.ToBase64String(p.Value)))) }.ToJsonString(), V1Patch.PatchType.MergePatch),
            "client-tls", ns, cancellationToken: Cancel);
        await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.ObservedCredentialsRevision == $"client-tls@{updated.Metadata.ResourceVersion}", Settle, Cancel);
        await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, "after-rotation", Cancel);
        var rotated = await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.LastHandledRetryRequest == "after-rotation", Settle, Cancel);

        // Accepted twice, the second time with a certificate only the updated Secret holds; the new token is bound to it.
        Assert.Equal(WorkloadPhase.Running, rotated.Status!.Phase);
        Assert.Equal(2, idp.AcceptedClientCertificates);
        Assert.Equal($"x5t#S256:{RealHttpMutualTlsTests.Thumbprint(second)}", await TokenBindingAsync(ns, "w"));
        Assert.DoesNotContain(await Workloads.EventsAsync(Admin, ns, "w", Cancel), e => e.Type == "Warning");
        var keyLines = RealHttpMutualTlsTests.PemBody(RealHttpMutualTlsTests.Pem(first).PrivateKey).Concat(RealHttpMutualTlsTests.PemBody(RealHttpMutualTlsTests.Pem(second).PrivateKey));
        await AssertNotLeakedAsync(ns, logs, [.. keyLines, firstToken, await AccessTokenAsync(ns, "w")]);
    }

    [Fact]
    public async Task TlsClientAuth_with_a_certificate_near_its_end_reaches_Running_and_warns_that_it_expires()
    {
        await using var idp = await TestAuthorizationServer.StartAsync(new AuthServerOptions(), Cancel);
        var ns = await Environment.NewNamespaceAsync("mtlspki", Cancel);
        using var certificate = idp.IssueClientCertificate("CN=pki-agent", notAfter: DateTimeOffset.UtcNow.AddDays(3));
        idp.RegisterTlsClient("pki-agent", "CN=pki-agent");
        await Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "client-tls" }, Type = "kubernetes.io/tls", Data = TlsData(certificate) }, ns, cancellationToken: Cancel);
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel, trustedIdpCertificate: idp.TlsCertificate);
        var workload = SelfSignedTlsClientAuth(ns, "w", idp);
        workload.Spec.OAuth.ClientId = "pki-agent";
        workload.Spec.OAuth.ClientAuthentication = ClientAuthenticationMethods.TlsClientAuth;

        await Workloads.CreateAsync(Admin, workload, Cancel);
        var running = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);

        // Three days left, inside the default week: the workload works and says the certificate must be renewed.
        var expiring = running.Status!.Conditions!.Single(c => c.Type == ConditionTypes.ClientCertificateExpiring);
        Assert.Equal("True", expiring.Status);
        var warning = await EventAsync(ns, "w", e => e.Reason == Reasons.ClientCertificateExpiring);
        Assert.Equal("Warning", warning.Type);
        Assert.Contains("renew it and update the TLS Secret", warning.Message, StringComparison.Ordinal);
        Assert.Equal(1, idp.AcceptedClientCertificates);
    }

    [Fact]
    public async Task ServiceAccountToken_reaches_Running_with_no_secret_stored()
    {
        await using var run = await StartFederatedAsync("satoken", trustedServiceAccount: "idp-client");
        var (idp, ns, logs) = (run.Idp, run.Namespace, run.Logs);

        await Workloads.CreateAsync(Admin, ServiceAccountToken(ns, "w", idp, "idp-client"), Cancel);
        var running = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);

        Assert.Equal(Reasons.TokenIssued, running.Status!.Reason);
        Assert.True(await AccessTokens.IsValidAsync(idp.Issuer, await AccessTokenAsync(ns, "w"), Cancel));
        Assert.Equal(1, idp.FederatedAssertionsAccepted);
        var secrets = await Admin.CoreV1.ListNamespacedSecretAsync(ns, cancellationToken: Cancel);
        Assert.Equal(["w-token"], secrets.Items.Select(s => s.Metadata.Name));
        await AssertNotLeakedAsync(ns, logs, idp.PresentedFederatedAssertions);
    }

    [Fact]
    public async Task ServiceAccountToken_of_a_ServiceAccount_without_the_opt_in_is_Failed_with_an_Event()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("saclosed", Cancel);
        await ServiceAccountAsync(ns, "idp-client", allowedWorkloads: null);
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel);

        await Workloads.CreateAsync(Admin, ServiceAccountToken(ns, "w", idp, "idp-client"), Cancel);
        var failed = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Failed, Settle, Cancel);

        Assert.Equal(Reasons.ServiceAccountNotPermitted, failed.Status!.Reason);
        Assert.Contains($"{WorkloadAnnotations.AllowedWorkloads}: w", failed.Status.Message, StringComparison.Ordinal);
        var warning = await EventAsync(ns, "w", e => e.Reason == Reasons.ServiceAccountNotPermitted);
        Assert.Equal("Warning", warning.Type);
        Assert.Equal(0, idp.TokenRequestCount);
    }

    [Fact]
    public async Task ServiceAccountToken_never_uses_another_namespace()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await Environment.NewNamespaceAsync("sahome", Cancel);
        var other = await Environment.NewNamespaceAsync("saother", Cancel);
        // Open to every workload, but in another namespace: the workload's own namespace has no such ServiceAccount.
        await ServiceAccountAsync(other, "idp-client", "*");
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel);

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => Workloads.CreateAsync(Admin, ServiceAccountToken(ns, "cross", idp, $"{other}/idp-client"), Cancel));
        await Workloads.CreateAsync(Admin, ServiceAccountToken(ns, "w", idp, "idp-client"), Cancel);
        var pending = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Pending, Settle, Cancel);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Response.StatusCode);
        Assert.Contains("spec.oauth.serviceAccountToken.name", refused.Response.Content, StringComparison.Ordinal);
        Assert.Equal(Reasons.ServiceAccountNotFound, pending.Status!.Reason);
        Assert.Contains($"ServiceAccount {ns}/idp-client not found", pending.Status.Message, StringComparison.Ordinal);
        Assert.Equal(0, idp.TokenRequestCount);
    }

    [Fact]
    public async Task ServiceAccountToken_the_IdP_does_not_trust_is_Unauthenticated_with_a_hint_naming_the_method()
    {
        // The federated credential names another ServiceAccount.
        await using var run = await StartFederatedAsync("sauntrusted", trustedServiceAccount: "someone-else");
        var (idp, ns, logs) = (run.Idp, run.Namespace, run.Logs);

        await Workloads.CreateAsync(Admin, ServiceAccountToken(ns, "w", idp, "idp-client"), Cancel);
        var unauthenticated = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Unauthenticated, Settle, Cancel);

        Assert.Equal(Reasons.CredentialsRejected, unauthenticated.Status!.Reason);
        var hint = await EventAsync(ns, "w", e => e.Reason == Reasons.CredentialsRejected);
        Assert.Contains("ServiceAccount token of 'idp-client'", hint.Message, StringComparison.Ordinal);
        Assert.Contains($"system:serviceaccount:{ns}:idp-client", hint.Message, StringComparison.Ordinal);
        await AssertNotLeakedAsync(ns, logs, idp.PresentedFederatedAssertions);
    }

    [Fact]
    public async Task TokenExchange_of_a_ServiceAccount_token_reaches_Running_as_the_ServiceAccount()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        using var backchannel = FederatedClusterFixture.TrustingCluster(Environment.ControlPlane);
        var ns = await Environment.NewNamespaceAsync("sts", Cancel);
        await ServiceAccountAsync(ns, "sts-subject", "w");
        idp.RegisterClient("sts-agent", null);
        idp.TrustSubjectTokens("sts-agent", new FederatedCredential(Issuer, $"system:serviceaccount:{ns}:sts-subject", StsAudience, backchannel));
        using var logs = new CapturedLogs();
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel, logCapture: logs);

        await Workloads.CreateAsync(Admin, TokenExchange(ns, "w", idp, new TokenExchangeSpec { Audience = StsAudience }, new ServiceAccountTokenSpec { Name = "sts-subject", Audience = StsAudience }), Cancel);
        var running = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);

        Assert.Equal(Reasons.TokenIssued, running.Status!.Reason);
        var accessToken = await AccessTokenAsync(ns, "w");
        Assert.True(await AccessTokens.IsValidAsync(idp.Issuer, accessToken, Cancel));
        Assert.Equal($"system:serviceaccount:{ns}:sts-subject", new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(accessToken).Subject);
        Assert.Equal(1, idp.SubjectTokensAccepted);
        await AssertNotLeakedAsync(ns, logs, [.. idp.PresentedSubjectTokens, accessToken]);
    }

    [Fact]
    public async Task TokenExchange_of_a_subject_token_from_a_Secret_uses_the_updated_token_after_a_refusal()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        using var backchannel = FederatedClusterFixture.TrustingCluster(Environment.ControlPlane);
        var ns = await Environment.NewNamespaceAsync("stssecret", Cancel);
        await ServiceAccountAsync(ns, "trusted", null);
        await ServiceAccountAsync(ns, "untrusted", null);
        idp.RegisterClient("sts-agent", null);
        idp.TrustSubjectTokens("sts-agent", new FederatedCredential(Issuer, $"system:serviceaccount:{ns}:trusted", StsAudience, backchannel));
        var tokens = new RemoteWorkloadOperator.Cluster.KubernetesServiceAccountTokens(Admin);
        await Workloads.CreateSecretAsync(Admin, ns, "subject", new Dictionary<string, string> { ["token"] = await tokens.RequestTokenAsync(ns, "untrusted", StsAudience, 600, Cancel) }, Cancel);
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel);

        await Workloads.CreateAsync(Admin, TokenExchange(ns, "w", idp, new TokenExchangeSpec { Audience = StsAudience, SubjectTokenSecretRef = new SecretKeyReference { Name = "subject", Key = "token" } }, null), Cancel);
        var refused = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Unauthenticated, Settle, Cancel);
        var hint = await EventAsync(ns, "w", e => e.Reason == Reasons.CredentialsRejected);
        await Workloads.UpdateSecretAsync(Admin, ns, "subject", "token", await tokens.RequestTokenAsync(ns, "trusted", StsAudience, 600, Cancel), Cancel);
        var running = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);

        Assert.Equal(Reasons.CredentialsRejected, refused.Status!.Reason);
        Assert.Contains("token exchange of client 'sts-agent' was refused", hint.Message, StringComparison.Ordinal);
        Assert.Equal(Reasons.TokenIssued, running.Status!.Reason);
        Assert.Equal($"system:serviceaccount:{ns}:trusted", new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(await AccessTokenAsync(ns, "w")).Subject);
    }

    [Theory]
    [InlineData("sat-without-spec", "serviceAccountToken is required when clientAuthentication is ServiceAccountToken")]
    [InlineData("exchange-without-spec", "tokenExchange is required when grant is TokenExchange")]
    [InlineData("exchange-one-account", "with grant TokenExchange and clientAuthentication ServiceAccountToken the subject token must come from tokenExchange.subjectTokenSecretRef")]
    [InlineData("mtls-without-certificate", "clientCertificateSecretRef is required when clientAuthentication is TlsClientAuth or SelfSignedTlsClientAuth, and only then")]
    [InlineData("mtls-with-secret", "clientSecretRef must not be set when clientAuthentication is TlsClientAuth or SelfSignedTlsClientAuth")]
    [InlineData("certificate-without-mtls", "clientCertificateSecretRef is required when clientAuthentication is TlsClientAuth or SelfSignedTlsClientAuth, and only then")]
    public async Task The_API_server_refuses_what_the_CEL_rules_forbid(string name, string message)
    {
        var ns = await Environment.NewNamespaceAsync("cel", Cancel);
        var oauth = new OAuthSpec { Issuer = "https://idp.example.com/", ClientId = "c" };
        switch (name)
        {
            case "sat-without-spec":
                oauth.Grant = GrantTypes.ClientCredentials;
                oauth.ClientAuthentication = ClientAuthenticationMethods.ServiceAccountToken;
                break;
            case "exchange-without-spec":
                oauth.Grant = GrantTypes.TokenExchange;
                oauth.ClientAuthentication = ClientAuthenticationMethods.None;
                break;
            case "mtls-without-certificate":
                oauth.Grant = GrantTypes.ClientCredentials;
                oauth.ClientAuthentication = ClientAuthenticationMethods.SelfSignedTlsClientAuth;
                break;
            case "mtls-with-secret":
                oauth.Grant = GrantTypes.ClientCredentials;
                oauth.ClientAuthentication = ClientAuthenticationMethods.TlsClientAuth;
                oauth.ClientCertificateSecretRef = new TlsSecretReference { Name = "client-tls" };
                oauth.ClientSecretRef = new SecretKeyReference { Name = "creds", Key = "secret" };
                break;
            case "certificate-without-mtls":
                oauth.Grant = GrantTypes.ClientCredentials;
                oauth.ClientAuthentication = ClientAuthenticationMethods.None;
                oauth.ClientCertificateSecretRef = new TlsSecretReference { Name = "client-tls" };
                break;
            default:
                oauth.Grant = GrantTypes.TokenExchange;
                oauth.ClientAuthentication = ClientAuthenticationMethods.ServiceAccountToken;
                oauth.ServiceAccountToken = new ServiceAccountTokenSpec { Name = "idp", Audience = Audience };
                oauth.TokenExchange = new TokenExchangeSpec();
                break;
        }

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => Workloads.CreateAsync(Admin, new RemoteWorkload
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new RemoteWorkloadSpec { Url = "https://api.example.com/", OAuth = oauth },
        }, Cancel));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Response.StatusCode);
        Assert.Contains(message, refused.Response.Content, StringComparison.Ordinal);
        Assert.DoesNotContain(Testing.ControlPlane.LocalControlPlane.UnenforcedCelRules.Keys, rule => rule.Contains("serviceAccountToken", StringComparison.Ordinal) || rule.Contains("tokenExchange", StringComparison.Ordinal) || rule.Contains("clientCertificate", StringComparison.Ordinal));
    }

    private string Issuer => Environment.ControlPlane.BaseAddress.GetLeftPart(UriPartial.Authority);

    private async Task ServiceAccountAsync(string ns, string name, string? allowedWorkloads) =>
        await Admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Annotations = allowedWorkloads is null ? null : new Dictionary<string, string> { [WorkloadAnnotations.AllowedWorkloads] = allowedWorkloads },
            },
        }, ns, cancellationToken: Cancel);

    /// <summary>
    /// None of <paramref name="secrets"/> (nor the payload of a JWT among them), nor any PEM private key, appears in the
    /// operator's logs, the namespace's Events or the workload's status.
    /// </summary>
    private async Task AssertNotLeakedAsync(string ns, CapturedLogs logs, IReadOnlyCollection<string> secrets)
    {
        Assert.NotEmpty(secrets);
        var events = (await Admin.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: Cancel)).Items.Select(e => e.Message ?? "");
        var status = KubernetesJson.Serialize((await Workloads.GetAsync(Admin, ns, "w", Cancel))!.Status);
        var haystack = logs.Lines.Concat(events).Append(status).ToList();
        Assert.True(haystack.Count > 3, "too little was captured to search");
        foreach (var secret in secrets.SelectMany(s => s.Split('.').Length == 3 ? [s, s.Split('.')[1]] : new[] { s }))
        {
            Assert.DoesNotContain(haystack, text => text.Contains(secret, StringComparison.Ordinal));
        }

        // Whatever key it is, its PEM armour has no place there either.
        Assert.DoesNotContain(haystack, text => text.Contains("PRIVATE KEY-----", StringComparison.Ordinal));
    }

    private static IEnumerable<string> PemBody(RSA key) =>
        key.ExportPkcs8PrivateKeyPem().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith("-----", StringComparison.Ordinal));

    /// <summary>The workload's Event that matches (Events are written after the status, so it may come a moment later).</summary>
    private async Task<Corev1Event> EventAsync(string ns, string workload, Func<Corev1Event, bool> match)
    {
        var deadline = DateTimeOffset.UtcNow + Settle;
        while (true)
        {
            var events = await Workloads.EventsAsync(Admin, ns, workload, Cancel);
            if (events.SingleOrDefault(match) is { } found)
            {
                return found;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"no matching Event; Events: {string.Join(" | ", events.Select(e => $"{e.Reason}: {e.Message}"))}");
            await Task.Delay(100, Cancel);
        }
    }

    private async Task<string> AccessTokenAsync(string ns, string workload) =>
        Encoding.UTF8.GetString((await Workloads.GetSecretAsync(Admin, ns, $"{workload}-token", Cancel))!.Data["access_token"]);

    private static RemoteWorkload PrivateKeyJwt(string ns, string name, TestAuthorizationServer idp) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new RemoteWorkloadSpec
        {
            Url = "https://api.example.com/",
            OAuth = new OAuthSpec
            {
                Issuer = idp.Issuer.AbsoluteUri,
                Grant = GrantTypes.ClientCredentials,
                ClientId = "jwt-agent",
                ClientAuthentication = ClientAuthenticationMethods.PrivateKeyJwt,
                PrivateKeySecretRef = new SecretKeyReference { Name = "jwt-key", Key = "key.pem" },
                AssertionAudience = AssertionAudiences.Issuer,
            },
        },
    };

    private static RemoteWorkload TokenExchange(string ns, string name, TestAuthorizationServer idp, TokenExchangeSpec exchange, ServiceAccountTokenSpec? subject) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new RemoteWorkloadSpec
        {
            Url = "https://api.example.com/",
            OAuth = new OAuthSpec
            {
                Issuer = idp.Issuer.AbsoluteUri,
                Grant = GrantTypes.TokenExchange,
                ClientId = "sts-agent",
                ClientAuthentication = ClientAuthenticationMethods.None,
                TokenExchange = exchange,
                ServiceAccountToken = subject,
            },
        },
    };

    private async Task<string> TokenBindingAsync(string ns, string workload) =>
        Encoding.UTF8.GetString((await Workloads.GetSecretAsync(Admin, ns, $"{workload}-token", Cancel))!.Data["token_binding"]);

    private static Dictionary<string, byte[]> TlsData(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var pem = RealHttpMutualTlsTests.Pem(certificate);
        return new() { ["tls.crt"] = Encoding.UTF8.GetBytes(pem.CertificateChain), ["tls.key"] = Encoding.UTF8.GetBytes(pem.PrivateKey) };
    }

    private static RemoteWorkload SelfSignedTlsClientAuth(string ns, string name, TestAuthorizationServer idp) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new RemoteWorkloadSpec
        {
            Url = "https://api.example.com/",
            OAuth = new OAuthSpec
            {
                TokenUrl = idp.TlsTokenEndpoint.AbsoluteUri,
                Grant = GrantTypes.ClientCredentials,
                ClientId = "mtls-agent",
                ClientAuthentication = ClientAuthenticationMethods.SelfSignedTlsClientAuth,
                ClientCertificateSecretRef = new TlsSecretReference { Name = "client-tls" },
            },
        },
    };

    private static RemoteWorkload ServiceAccountToken(string ns, string name, TestAuthorizationServer idp, string serviceAccount) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new RemoteWorkloadSpec
        {
            Url = "https://api.example.com/",
            OAuth = new OAuthSpec
            {
                Issuer = idp.Issuer.AbsoluteUri,
                Grant = GrantTypes.ClientCredentials,
                ClientId = "federated-agent",
                ClientAuthentication = ClientAuthenticationMethods.ServiceAccountToken,
                ServiceAccountToken = new ServiceAccountTokenSpec { Name = serviceAccount, Audience = Audience },
            },
        },
    };

    /// <summary>
    /// An IdP with the client "federated-agent" that trusts this cluster's tokens of <paramref name="trustedServiceAccount"/>,
    /// the ServiceAccount "idp-client" opted in for workload "w", and the operator with its logs captured.
    /// </summary>
    private async Task<FederatedRun> StartFederatedAsync(string namespacePrefix, string trustedServiceAccount)
    {
        var idp = await ScenarioEnvironment.StartIdpAsync();
        var backchannel = FederatedClusterFixture.TrustingCluster(Environment.ControlPlane);
        var ns = await Environment.NewNamespaceAsync(namespacePrefix, Cancel);
        await ServiceAccountAsync(ns, "idp-client", "w");
        idp.RegisterFederatedClient("federated-agent", new FederatedCredential(Issuer, $"system:serviceaccount:{ns}:{trustedServiceAccount}", Audience, backchannel));
        var logs = new CapturedLogs();
        var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, cancellationToken: Cancel, logCapture: logs);
        return new FederatedRun(idp, backchannel, ns, logs, op);
    }

    private sealed record FederatedRun(TestAuthorizationServer Idp, HttpClient Backchannel, string Namespace, CapturedLogs Logs, ScenarioOperator Operator) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Operator.DisposeAsync();
            Logs.Dispose();
            Backchannel.Dispose();
            await Idp.DisposeAsync();
        }
    }
}
