using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// A mutual-TLS client certificate as a credential: a renewed one is a credentials change, its Secret queues the
/// workload, and a token bound to it says so in the token Secret.
/// </summary>
public sealed class ClientCertificateCredentialTests
{
    [Fact]
    public void A_renewed_certificate_changes_the_credentials_version_and_the_version_holds_no_key()
    {
        using var first = TestAuthorizationServer.SelfSignedClientCertificate("CN=agent");
        using var second = TestAuthorizationServer.SelfSignedClientCertificate("CN=agent");
        var before = KubernetesCredentialsSource.Version(new CredentialInputs(null, null, "tls@1") { ClientCertificate = RealHttpMutualTlsTests.Pem(first) });
        var after = KubernetesCredentialsSource.Version(new CredentialInputs(null, null, "tls@2") { ClientCertificate = RealHttpMutualTlsTests.Pem(second) });

        Assert.NotEqual(before, after);
        Assert.NotEqual(KubernetesCredentialsSource.Version(new CredentialInputs(null, null, "tls@1")), before);
        Assert.DoesNotContain("PRIVATE", before, StringComparison.Ordinal);
    }

    [Fact]
    public void The_client_certificate_Secret_queues_the_workload_that_references_it()
    {
        var index = new SecretReferenceIndex();
        index.Set("a/w", new RemoteWorkload
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "w", NamespaceProperty = "a" },
            Spec = new RemoteWorkloadSpec
            {
                Url = "https://api.example.com/",
                OAuth = new OAuthSpec
                {
                    ClientId = "c",
                    ClientAuthentication = ClientAuthenticationMethods.TlsClientAuth,
                    ClientCertificateSecretRef = new TlsSecretReference { Name = "client-tls" },
                },
            },
        });

        Assert.Equal(["a/w"], index.WorkloadsReferencing("a", "client-tls"));
        Assert.Empty(index.WorkloadsReferencing("b", "client-tls"));
    }

    [Fact]
    public void A_jwt_with_cnf_is_bound_to_its_certificate_whatever_the_client_authentication()
    {
        var jwt = $"{Segment("""{"alg":"none"}""")}.{Segment("""{"sub":"a","cnf":{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}""")}.sig";

        Assert.Equal("x5t#S256:bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2", CertificateBinding.Of(jwt, presentedThumbprint: null));
        Assert.Null(CertificateBinding.Of($"{Segment("""{"alg":"none"}""")}.{Segment("""{"sub":"a"}""")}.sig", presentedThumbprint: null));
        Assert.Null(CertificateBinding.Of("opaque-token", presentedThumbprint: null));
        // An opaque token issued on a mutual-TLS connection is taken as bound to the certificate presented.
        Assert.Equal("x5t#S256:presented", CertificateBinding.Of("opaque-token", "presented"));
    }

    [Fact]
    public void The_token_Secret_carries_token_binding_only_for_a_bound_token()
    {
        var now = DateTimeOffset.UtcNow;
        var bearer = new PublishedToken("at", "Bearer", now, now.AddHours(1), null);
        var bound = bearer with { TokenBinding = "x5t#S256:abc" };
        var secret = new k8s.Models.V1Secret { Data = new Dictionary<string, byte[]> { ["access_token"] = "at"u8.ToArray(), ["token_type"] = "Bearer"u8.ToArray(), ["expires_at"] = System.Text.Encoding.UTF8.GetBytes(now.AddHours(1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)) } };

        Assert.True(TokenSecretWriter.Holds(secret, bearer));
        Assert.False(TokenSecretWriter.Holds(secret, bound));
        secret.Data["token_binding"] = "x5t#S256:abc"u8.ToArray();
        Assert.True(TokenSecretWriter.Holds(secret, bound));
    }

    private static string Segment(string json) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(json);
}
