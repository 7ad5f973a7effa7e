namespace RemoteWorkloadOperator.Entities;

/// <summary>Values of <c>spec.oauth.assertionAudience</c>: what a private_key_jwt assertion names as its <c>aud</c>.</summary>
public static class AssertionAudiences
{
    /// <summary>The token endpoint URL (RFC 7523 §3 as most IdPs read it).</summary>
    public const string TokenEndpoint = "TokenEndpoint";

    /// <summary>The authorization server's issuer identifier (draft RFC 7523bis, which closes audience-injection attacks).</summary>
    public const string Issuer = "Issuer";
}
