namespace RemoteWorkloadOperator.Entities;

/// <summary>Values of <c>spec.oauth.grant</c>. Kept as strings on the wire type so a bad value is reported, not thrown.</summary>
public static class GrantTypes
{
    public const string RefreshToken = "RefreshToken";
    public const string ClientCredentials = "ClientCredentials";

    /// <summary>RFC 8693 token exchange (<c>urn:ietf:params:oauth:grant-type:token-exchange</c>).</summary>
    public const string TokenExchange = "TokenExchange";
}
