namespace RemoteWorkloadOperator.Entities;

/// <summary>Values of <c>spec.oauth.clientAuthentication</c>.</summary>
public static class ClientAuthenticationMethods
{
    public const string ClientSecretBasic = "ClientSecretBasic";
    public const string ClientSecretPost = "ClientSecretPost";
    public const string None = "None";
}
