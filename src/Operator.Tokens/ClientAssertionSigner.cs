using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// Signs RFC 7523 §2.2 client assertions (<c>private_key_jwt</c>, OIDC Core §9) with the workload's private key.
/// Every call produces a fresh assertion with its own <c>jti</c>: IdPs refuse a repeated one (RFC 7523 §3 item 7).
/// </summary>
internal static class ClientAssertionSigner
{
    /// <summary>The assertion's lifetime: short, because it travels with one request (RFC 7523 §3 item 4), and well under the 5 minutes IdPs allow.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    /// <summary><c>client_assertion_type</c> of a JWT client assertion (RFC 7523 §2.2).</summary>
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>
    /// The explicit <c>typ</c> of draft RFC 7523bis, so the assertion cannot be mistaken for an ID token. Sent together
    /// with the 7523bis audience (the issuer), which is what the servers that require it (OpenIddict) also require.
    /// </summary>
    public const string AssertionMediaType = "client-authentication+jwt";

    /// <summary>
    /// The <c>typ</c> of a classic RFC 7523 assertion (RFC 7519 §5.1). Servers that follow RFC 7523 as published check
    /// <c>typ</c>, if at all, against <c>JWT</c>: a JOSE type verifier that accepts only <c>JWT</c> or none (Nimbus JOSE's
    /// default, used by Spring Authorization Server) would refuse the explicit 7523bis type.
    /// </summary>
    public const string ClassicMediaType = "JWT";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>
    /// Creates a signed assertion: <c>iss</c> = <c>sub</c> = <paramref name="clientId"/>, <c>aud</c> = <paramref name="audience"/> (the token endpoint, or the issuer),
    /// a random <c>jti</c>, <c>iat</c> = <c>nbf</c> = <paramref name="now"/>, <c>exp</c> = now + <see cref="Lifetime"/>;
    /// <c>typ</c> <see cref="AssertionMediaType"/> when <paramref name="explicitType"/> (the 7523bis profile), else
    /// <see cref="ClassicMediaType"/>.
    /// </summary>
    /// <exception cref="ClientKeyException">The key is unusable; the message never contains key material.</exception>
    public static string Create(string privateKey, string clientId, string audience, string? keyId, string? algorithm, DateTimeOffset now, bool explicitType = true)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        using var key = ClientKey.Parse(privateKey);
        var alg = algorithm ?? (key.Rsa is not null ? SecurityAlgorithms.RsaSha256 : SecurityAlgorithms.EcdsaSha256);
        SecurityKey securityKey = alg switch
        {
            "RS256" or "PS256" when key.Rsa is { } rsa => new RsaSecurityKey(rsa),
            "ES256" when key.Ecdsa is { } ec && ec.KeySize == 256 => new ECDsaSecurityKey(ec),
            "RS256" or "PS256" or "ES256" => throw new ClientKeyException($"the key is {key.Description}, which cannot sign {alg} (RS256 and PS256 need an RSA key, ES256 a P-256 EC key)"),
            _ => throw new ClientKeyException($"unsupported algorithm {alg}: use RS256, PS256 or ES256"),
        };
        securityKey.KeyId = keyId ?? key.KeyId;
        var descriptor = new SecurityTokenDescriptor
        {
            TokenType = explicitType ? AssertionMediaType : ClassicMediaType,
            Issuer = clientId,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(Lifetime).UtcDateTime,
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [JwtRegisteredClaimNames.Sub] = clientId,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            },
            // No provider cache: the key is disposed after this call, and a cached provider would outlive it.
            SigningCredentials = new SigningCredentials(securityKey, alg) { CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false } },
        };
        try
        {
            return Handler.CreateToken(descriptor);
        }
        catch (Exception e) when (e is CryptographicException or SecurityTokenException or ArgumentException)
        {
            // The library's text may describe the key; ours names only the kind of problem.
            throw new ClientKeyException($"signing with the {key.Description} failed ({e.GetType().Name})");
        }
    }

    /// <summary>A parsed private key. Disposing it clears the key from memory.</summary>
    private sealed class ClientKey : IDisposable
    {
        private ClientKey(RSA? rsa, ECDsa? ecdsa, string? keyId)
        {
            Rsa = rsa;
            Ecdsa = ecdsa;
            KeyId = keyId;
        }

        public RSA? Rsa { get; }

        public ECDsa? Ecdsa { get; }

        public string? KeyId { get; }

        public string Description => Rsa is not null ? $"RSA {Rsa.KeySize}-bit key" : $"EC {Ecdsa!.KeySize}-bit key";

        public static ClientKey Parse(string text)
        {
            var trimmed = text.Trim();
            if (trimmed.StartsWith('{'))
            {
                return FromJwk(trimmed);
            }

            if (!trimmed.StartsWith("-----BEGIN ", StringComparison.Ordinal))
            {
                throw new ClientKeyException("the key is neither PEM nor a JWK");
            }

            if (trimmed.Contains("ENCRYPTED", StringComparison.Ordinal))
            {
                throw new ClientKeyException("encrypted PEM keys are not supported: store the key unencrypted in the Secret (the Secret is the protection)");
            }

            if (!trimmed.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            {
                throw new ClientKeyException("the PEM block is not a private key (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
            }

            // PKCS#8 ("PRIVATE KEY") does not say its algorithm in the label: try RSA, then EC.
            var rsa = RSA.Create();
            try
            {
                rsa.ImportFromPem(trimmed);
                return new ClientKey(rsa, null, null);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                rsa.Dispose();
            }

            var ecdsa = ECDsa.Create();
            try
            {
                ecdsa.ImportFromPem(trimmed);
                return new ClientKey(null, ecdsa, null);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                ecdsa.Dispose();
                throw new ClientKeyException("the PEM private key is neither a readable RSA nor EC key");
            }
        }

        private static ClientKey FromJwk(string json)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                var root = document.RootElement;
                var kid = Optional(root, "kid");
                switch (Optional(root, "kty"))
                {
                    case "RSA":
                        var rsa = RSA.Create();
                        try
                        {
                            rsa.ImportParameters(new RSAParameters
                            {
                                Modulus = Required(root, "n"),
                                Exponent = Required(root, "e"),
                                D = Required(root, "d"),
                                P = Required(root, "p"),
                                Q = Required(root, "q"),
                                DP = Required(root, "dp"),
                                DQ = Required(root, "dq"),
                                InverseQ = Required(root, "qi"),
                            });
                        }
                        catch
                        {
                            rsa.Dispose();
                            throw;
                        }

                        return new ClientKey(rsa, null, kid);
                    case "EC":
                        if (Optional(root, "crv") != "P-256")
                        {
                            throw new ClientKeyException("an EC JWK must use the P-256 curve");
                        }

                        var ecdsa = ECDsa.Create();
                        try
                        {
                            ecdsa.ImportParameters(new ECParameters
                            {
                                Curve = ECCurve.NamedCurves.nistP256,
                                Q = new ECPoint { X = Required(root, "x"), Y = Required(root, "y") },
                                D = Required(root, "d"),
                            });
                        }
                        catch
                        {
                            ecdsa.Dispose();
                            throw;
                        }

                        return new ClientKey(null, ecdsa, kid);
                    default:
                        throw new ClientKeyException("the JWK's kty must be RSA or EC");
                }
            }
            catch (Exception e) when (e is JsonException or FormatException or CryptographicException or InvalidOperationException)
            {
                throw new ClientKeyException($"the JWK is not a usable private key ({e.GetType().Name})");
            }
        }

        private static string? Optional(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static byte[] Required(JsonElement root, string name) =>
            Optional(root, name) is { Length: > 0 } text
                ? Base64UrlEncoder.DecodeBytes(text)
                : throw new ClientKeyException($"the JWK has no \"{name}\": a private key is needed, not the public one");

        public void Dispose()
        {
            Rsa?.Dispose();
            Ecdsa?.Dispose();
        }
    }
}
