using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Security;

/// <summary>
/// The emulator's ServiceAccount token issuer: TokenRequest (<c>serviceaccounts/token</c>) answers, and the OIDC
/// discovery document and JWKS that let an IdP trust the cluster as a federated issuer. Modelled on kube-apiserver:
/// the claims on <c>Claims</c> in pkg/serviceaccount/claims.go, the answer on <c>TokenREST.Create</c> in
/// pkg/registry/core/serviceaccount/storage/token.go, the documents on <c>openIDConfigJSON</c> and
/// <c>openIDKeysetJSON</c> in pkg/serviceaccount/openidmetadata.go. One RSA key per emulator, signing RS256 (the only RSA
/// algorithm kube-apiserver signs with).
/// </summary>
internal sealed class ServiceAccountTokenIssuer : IDisposable
{
    /// <summary>The default <c>spec.expirationSeconds</c> (one hour), as the TokenRequest API defaults it.</summary>
    public const long DefaultExpirationSeconds = 3600;

    /// <summary>The shortest lifetime TokenRequest validation accepts (ValidateTokenRequest: "less than 10 minutes").</summary>
    public const long MinExpirationSeconds = 600;

    private readonly RSA _key = RSA.Create(2048);
    private readonly TokenAuthenticator _authenticator;
    private int _issued;

    public ServiceAccountTokenIssuer(TokenAuthenticator authenticator)
    {
        _authenticator = authenticator;
        // keyIDFromPublicKey in pkg/serviceaccount/jwt.go: base64url(SHA-256(DER SubjectPublicKeyInfo)).
        KeyId = Base64Url(SHA256.HashData(_key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>The <c>kid</c> of every token and of the one key in the JWKS.</summary>
    public string KeyId { get; }

    /// <summary>Tokens issued so far (each TokenRequest answered).</summary>
    public int Issued => Volatile.Read(ref _issued);

    /// <summary>
    /// Answers a TokenRequest for <paramref name="serviceAccount"/>: the request with defaulted audiences (the API
    /// server's own, i.e. the issuer) and expirationSeconds, and a status with the token and its expirationTimestamp.
    /// The token also authenticates to the emulator as the ServiceAccount, as a real one does.
    /// </summary>
    public JsonObject Create(JsonObject serviceAccount, JsonObject request, string issuer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(serviceAccount);
        ArgumentNullException.ThrowIfNull(request);
        var spec = request["spec"] as JsonObject ?? new JsonObject();
        var expirationSeconds = spec["expirationSeconds"]?.GetValue<long>() ?? DefaultExpirationSeconds;
        if (expirationSeconds < MinExpirationSeconds)
        {
            throw Invalid($"spec.expirationSeconds: Invalid value: {expirationSeconds}: may not specify a duration less than 10 minutes");
        }

        if (expirationSeconds > 1L << 32)
        {
            throw Invalid($"spec.expirationSeconds: Invalid value: {expirationSeconds}: may not specify a duration larger than 2^32 seconds");
        }

        if (spec["boundObjectRef"] is JsonObject bound)
        {
            // kube-apiserver binds to a Pod, Secret or Node; the emulator binds to none (see docs/control-plane.md).
            throw Status.BadRequest($"cannot bind token to object of type {bound["apiVersion"]}, Kind={bound["kind"]}: the emulator does not bind tokens");
        }

        var audiences = spec["audiences"] is JsonArray { Count: > 0 } given
            ? given.Select(a => a!.GetValue<string>()).ToList()
            : [issuer];
        var ns = ObjectMeta.Namespace(serviceAccount);
        var name = ObjectMeta.Name(serviceAccount);
        var uid = ObjectMeta.Str(serviceAccount, "uid") ?? "";
        var expiry = now.AddSeconds(expirationSeconds);
        var claims = new JsonObject
        {
            ["aud"] = new JsonArray([.. audiences.Select(a => (JsonNode?)a)]),
            ["exp"] = expiry.ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["iss"] = issuer,
            // The credential id kube-apiserver 1.29+ puts in every token it issues.
            ["jti"] = Guid.NewGuid().ToString(),
            ["kubernetes.io"] = new JsonObject
            {
                ["namespace"] = ns,
                ["serviceaccount"] = new JsonObject { ["name"] = name, ["uid"] = uid },
            },
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["sub"] = $"system:serviceaccount:{ns}:{name}",
        };
        var token = Sign(claims);
        _authenticator.Register(token, Identity.ForServiceAccount(ns, name));
        Interlocked.Increment(ref _issued);

        spec["audiences"] = new JsonArray([.. audiences.Select(a => (JsonNode?)a)]);
        spec["expirationSeconds"] = expirationSeconds;
        spec["boundObjectRef"] = null;
        return new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["creationTimestamp"] = null },
            ["spec"] = spec.DeepClone(),
            ["status"] = new JsonObject
            {
                ["token"] = token,
                ["expirationTimestamp"] = expiry.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            },
        };
    }

    /// <summary>The OIDC discovery document (<c>/.well-known/openid-configuration</c>), as openIDConfigJSON writes it.</summary>
    public static JsonObject OpenIdConfiguration(string issuer) => new()
    {
        ["issuer"] = issuer,
        ["jwks_uri"] = $"{issuer}/openid/v1/jwks",
        ["response_types_supported"] = new JsonArray("id_token"),
        ["subject_types_supported"] = new JsonArray("public"),
        ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
    };

    /// <summary>The public keys (<c>/openid/v1/jwks</c>), as openIDKeysetJSON writes them.</summary>
    public JsonObject Jwks()
    {
        var parameters = _key.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["use"] = "sig",
                ["kty"] = "RSA",
                ["kid"] = KeyId,
                ["alg"] = "RS256",
                ["n"] = Base64Url(parameters.Modulus!),
                ["e"] = Base64Url(parameters.Exponent!),
            }),
        };
    }

    public void Dispose() => _key.Dispose();

    private string Sign(JsonObject claims)
    {
        // The header kube-apiserver writes: alg and kid, no typ.
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = KeyId };
        var signingInput = $"{Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()))}";
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    private static ApiException Invalid(string message) => Status.Invalid422($"TokenRequest.authentication.k8s.io is invalid: {message}");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
