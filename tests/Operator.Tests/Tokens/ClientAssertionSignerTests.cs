using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>The client assertion as RFC 7523 §3 defines it, read back and verified with the public key.</summary>
public sealed class ClientAssertionSignerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 7, 0, 0, TimeSpan.Zero);
    private const string Endpoint = "https://idp.example.com/oauth2/token";

    [Fact]
    public async Task Rsa_pkcs8_assertion_carries_the_rfc7523_claims_and_verifies_with_the_public_key()
    {
        using var rsa = RSA.Create(2048);

        var jwt = ClientAssertionSigner.Create(rsa.ExportPkcs8PrivateKeyPem(), "mcp-operator", Endpoint, "k1", null, Now);

        var token = new JsonWebToken(jwt);
        Assert.Equal("RS256", token.Alg);
        Assert.Equal("client-authentication+jwt", token.Typ);
        Assert.Equal("k1", token.Kid);
        Assert.Equal("mcp-operator", token.Issuer);
        Assert.Equal("mcp-operator", token.Subject);
        Assert.Equal([Endpoint], token.Audiences);
        Assert.Equal(Now.UtcDateTime, token.IssuedAt);
        Assert.Equal(Now.UtcDateTime, token.ValidFrom);
        Assert.True(token.ValidTo > Now.UtcDateTime && token.ValidTo <= Now.AddMinutes(5).UtcDateTime);
        Assert.False(string.IsNullOrEmpty(token.Id));
        await AssertVerifies(jwt, new RsaSecurityKey(rsa.ExportParameters(false)));
    }

    [Fact]
    public void The_classic_profile_is_typed_JWT_and_the_7523bis_profile_client_authentication_jwt()
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportPkcs8PrivateKeyPem();

        var classic = new JsonWebToken(ClientAssertionSigner.Create(pem, "c", Endpoint, null, null, Now, explicitType: false));
        var explicitlyTyped = new JsonWebToken(ClientAssertionSigner.Create(pem, "c", "https://idp.example.com/", null, null, Now, explicitType: true));

        Assert.Equal("JWT", classic.Typ);
        Assert.Equal("client-authentication+jwt", explicitlyTyped.Typ);
    }

    [Fact]
    public void Every_assertion_has_its_own_jti()
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportPkcs8PrivateKeyPem();

        var ids = Enumerable.Range(0, 20).Select(_ => new JsonWebToken(ClientAssertionSigner.Create(pem, "c", Endpoint, null, null, Now)).Id).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(20, ids.Count);
    }

    [Fact]
    public async Task Pkcs1_rsa_pem_signs_ps256_when_asked()
    {
        using var rsa = RSA.Create(2048);

        var jwt = ClientAssertionSigner.Create(rsa.ExportRSAPrivateKeyPem(), "c", Endpoint, null, "PS256", Now);

        Assert.Equal("PS256", new JsonWebToken(jwt).Alg);
        Assert.False(new JsonWebToken(jwt).TryGetHeaderValue<string>("kid", out _));
        await AssertVerifies(jwt, new RsaSecurityKey(rsa.ExportParameters(false)));
    }

    [Fact]
    public async Task Ec_pem_defaults_to_es256()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var jwt = ClientAssertionSigner.Create(ec.ExportECPrivateKeyPem(), "c", Endpoint, null, null, Now);

        Assert.Equal("ES256", new JsonWebToken(jwt).Alg);
        await AssertVerifies(jwt, new ECDsaSecurityKey(ECDsa.Create(ec.ExportParameters(false))));
    }

    [Fact]
    public async Task Private_jwk_signs_with_its_own_kid_unless_keyId_overrides_it()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jwk = PrivateJwk(ec, "jwk-kid");

        var own = ClientAssertionSigner.Create(jwk, "c", Endpoint, null, null, Now);
        var overridden = ClientAssertionSigner.Create(jwk, "c", Endpoint, "spec-kid", null, Now);

        Assert.Equal("jwk-kid", new JsonWebToken(own).Kid);
        Assert.Equal("spec-kid", new JsonWebToken(overridden).Kid);
        await AssertVerifies(own, new ECDsaSecurityKey(ECDsa.Create(ec.ExportParameters(false))));
    }

    [Theory]
    [InlineData("not a key at all")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")]
    [InlineData("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----")]
    [InlineData("""{"kty":"RSA","n":"AQAB","e":"AQAB"}""")]
    [InlineData("""{"kty":"oct","k":"c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw"}""")]
    public void Unusable_keys_are_refused_without_echoing_the_key(string text)
    {
        var e = Assert.Throws<ClientKeyException>(() => ClientAssertionSigner.Create(text, "c", Endpoint, null, null, Now));

        Assert.DoesNotContain("MIIB", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bm90IGEga2V5", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not a key at all", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_rsa_key_cannot_sign_es256()
    {
        using var rsa = RSA.Create(2048);

        var e = Assert.Throws<ClientKeyException>(() => ClientAssertionSigner.Create(rsa.ExportPkcs8PrivateKeyPem(), "c", Endpoint, null, "ES256", Now));

        Assert.Contains("RSA 2048-bit key", e.Message, StringComparison.Ordinal);
        Assert.Contains("ES256", e.Message, StringComparison.Ordinal);
    }

    internal static string PrivateJwk(ECDsa ec, string kid)
    {
        var p = ec.ExportParameters(true);
        return System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["kid"] = kid,
            ["x"] = Base64UrlEncoder.Encode(p.Q.X),
            ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
            ["d"] = Base64UrlEncoder.Encode(p.D),
        });
    }

    private static async Task AssertVerifies(string jwt, SecurityKey publicKey)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            IssuerSigningKey = publicKey,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }
}
