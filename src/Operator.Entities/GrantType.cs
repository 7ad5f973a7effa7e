namespace RemoteWorkloadOperator.Entities;

/// <summary>The OAuth grant a workload's tokens come from; its names are the values of <c>spec.oauth.grant</c> (<see cref="GrantTypes"/>).</summary>
public enum GrantType
{
    /// <summary><c>grant_type=refresh_token</c>.</summary>
    RefreshToken,

    /// <summary><c>grant_type=client_credentials</c>.</summary>
    ClientCredentials,

    /// <summary>RFC 8693 <c>grant_type=urn:ietf:params:oauth:grant-type:token-exchange</c> with a subject token.</summary>
    TokenExchange,
}
