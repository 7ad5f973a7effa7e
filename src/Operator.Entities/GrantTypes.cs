namespace RemoteWorkloadOperator.Entities;

/// <summary>
/// The wire values of <c>spec.oauth.grant</c>: the names of <see cref="GrantType"/>, as constants for schema attributes.
/// The wire type keeps a string so that a bad value is reported, not thrown.
/// </summary>
public static class GrantTypes
{
    public const string RefreshToken = nameof(GrantType.RefreshToken);
    public const string ClientCredentials = nameof(GrantType.ClientCredentials);
    public const string TokenExchange = nameof(GrantType.TokenExchange);
}
