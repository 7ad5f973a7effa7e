using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>
/// TokenRequest (<c>serviceaccounts/token</c>) and the service-account issuer discovery documents, against what
/// kube-apiserver answers: the claims of pkg/serviceaccount/claims.go, the answer of TokenREST.Create, the documents
/// of pkg/serviceaccount/openidmetadata.go.
/// </summary>
public sealed class ServiceAccountTokenRequestTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Issuer => fixture.ControlPlane.BaseAddress.GetLeftPart(UriPartial.Authority);

    [Fact]
    public async Task A_token_request_is_answered_with_a_signed_token_carrying_the_kubernetes_claims()
    {
        var admin = fixture.ControlPlane.CreateAdminClient();
        var account = await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "claims-sa" } }, "default", cancellationToken: Ct);

        var answer = await admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { Audiences = ["api://AzureADTokenExchange"], ExpirationSeconds = 900 } }, "claims-sa", "default", cancellationToken: Ct);

        var (header, claims) = Decode(answer.Status.Token);
        Assert.Equal("RS256", header["alg"]!.GetValue<string>());
        Assert.Equal(Issuer, claims["iss"]!.GetValue<string>());
        Assert.Equal(["api://AzureADTokenExchange"], claims["aud"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal("system:serviceaccount:default:claims-sa", claims["sub"]!.GetValue<string>());
        Assert.Equal("default", claims["kubernetes.io"]!["namespace"]!.GetValue<string>());
        Assert.Equal("claims-sa", claims["kubernetes.io"]!["serviceaccount"]!["name"]!.GetValue<string>());
        Assert.Equal(account.Metadata.Uid, claims["kubernetes.io"]!["serviceaccount"]!["uid"]!.GetValue<string>());
        var iat = claims["iat"]!.GetValue<long>();
        Assert.Equal(iat, claims["nbf"]!.GetValue<long>());
        Assert.Equal(iat + 900, claims["exp"]!.GetValue<long>());
        Assert.False(string.IsNullOrEmpty(claims["jti"]?.GetValue<string>()));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(iat + 900).UtcDateTime, answer.Status.ExpirationTimestamp?.ToUniversalTime());
        Assert.Equal(900, answer.Spec.ExpirationSeconds);
    }

    [Fact]
    public async Task Without_audiences_the_token_is_for_the_api_server_and_authenticates_as_the_service_account()
    {
        var admin = fixture.ControlPlane.CreateAdminClient();
        await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "self-sa" } }, "default", cancellationToken: Ct);

        var answer = await admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, "self-sa", "default", cancellationToken: Ct);

        var (_, claims) = Decode(answer.Status.Token);
        Assert.Equal([Issuer], claims["aud"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(3600, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());
        using var asAccount = Client(answer.Status.Token);
        var (code, status) = await Workloads.FailureOf(() => asAccount.CoreV1.ListNamespacedSecretAsync("default", cancellationToken: Ct));
        Assert.Equal(403, code);
        Assert.Contains("User \"system:serviceaccount:default:self-sa\"", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_signature_verifies_with_the_key_the_jwks_publishes_under_the_discovered_jwks_uri()
    {
        var admin = fixture.ControlPlane.CreateAdminClient();
        await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "jwks-sa" } }, "default", cancellationToken: Ct);
        var token = (await admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { Audiences = ["idp"] } }, "jwks-sa", "default", cancellationToken: Ct)).Status.Token;
        using var anonymous = fixture.ControlPlane.NewAnonymousHttpClient();

        var configuration = JsonNode.Parse(await anonymous.GetStringAsync($"{Issuer}/.well-known/openid-configuration", Ct))!;
        var jwks = JsonNode.Parse(await anonymous.GetStringAsync(configuration["jwks_uri"]!.GetValue<string>(), Ct))!;

        Assert.Equal(Issuer, configuration["issuer"]!.GetValue<string>());
        Assert.Equal(["id_token"], configuration["response_types_supported"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(["public"], configuration["subject_types_supported"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(["RS256"], configuration["id_token_signing_alg_values_supported"]!.AsArray().Select(a => a!.GetValue<string>()));
        var key = Assert.Single(jwks["keys"]!.AsArray())!;
        var (header, _) = Decode(token);
        Assert.Equal(header["kid"]!.GetValue<string>(), key["kid"]!.GetValue<string>());
        Assert.Equal(("RSA", "sig", "RS256"), (key["kty"]!.GetValue<string>(), key["use"]!.GetValue<string>(), key["alg"]!.GetValue<string>()));
        using var rsa = RSA.Create(new RSAParameters { Modulus = Base64UrlDecode(key["n"]!.GetValue<string>()), Exponent = Base64UrlDecode(key["e"]!.GetValue<string>()) });
        var parts = token.Split('.');
        Assert.True(rsa.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64UrlDecode(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public async Task A_lifetime_under_ten_minutes_is_422_and_a_missing_service_account_404()
    {
        var admin = fixture.ControlPlane.CreateAdminClient();
        await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "short-sa" } }, "default", cancellationToken: Ct);

        var (code, status) = await Workloads.FailureOf(() => admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 599 } }, "short-sa", "default", cancellationToken: Ct));
        Assert.Equal(422, code);
        Assert.Contains("may not specify a duration less than 10 minutes", status["message"]!.GetValue<string>(), StringComparison.Ordinal);

        (code, status) = await Workloads.FailureOf(() => admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, "no-such-sa", "default", cancellationToken: Ct));
        Assert.Equal(404, code);
        Assert.Equal("NotFound", status["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Creating_a_token_needs_create_on_serviceaccounts_token()
    {
        var admin = fixture.ControlPlane.CreateAdminClient();
        await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "guarded-sa" } }, "default", cancellationToken: Ct);
        using var stranger = fixture.ControlPlane.CreateClientFor("default", "stranger");

        var (code, status) = await Workloads.FailureOf(() => stranger.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, "guarded-sa", "default", cancellationToken: Ct));

        Assert.Equal(403, code);
        Assert.Contains("cannot create resource \"serviceaccounts/token\"", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private Kubernetes Client(string token) => new(new KubernetesClientConfiguration
    {
        Host = Issuer,
        AccessToken = token,
        SslCaCerts = [X509CertificateLoader.LoadCertificate(Encoding.ASCII.GetBytes(fixture.ControlPlane.CertificateAuthorityPem))],
    });


    private static (JsonNode Header, JsonNode Claims) Decode(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        return (JsonNode.Parse(Base64UrlDecode(parts[0]))!, JsonNode.Parse(Base64UrlDecode(parts[1]))!);
    }

    private static byte[] Base64UrlDecode(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }
}
