namespace RemoteWorkloadOperator.Entities;

/// <summary>Values of <c>spec.oauth.algorithm</c>: the JWS algorithms (RFC 7518 §3.1) of a private_key_jwt assertion.</summary>
public static class SigningAlgorithms
{
    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256: the one every IdP accepts.</summary>
    public const string RS256 = "RS256";

    /// <summary>RSASSA-PSS with SHA-256 (FAPI profiles require PS256 or ES256).</summary>
    public const string PS256 = "PS256";

    /// <summary>ECDSA on P-256 with SHA-256.</summary>
    public const string ES256 = "ES256";
}
