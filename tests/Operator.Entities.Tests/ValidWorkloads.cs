using k8s.Models;

namespace RemoteWorkloadOperator.Entities.Tests;

/// <summary>Known-good workloads that tests mutate into bad ones.</summary>
internal static class ValidWorkloads
{
    public static RemoteWorkload RefreshToken() => new()
    {
        Metadata = new V1ObjectMeta { Name = "sourcegraph", NamespaceProperty = "team-a" },
        Spec = new RemoteWorkloadSpec
        {
            Url = "https://sourcegraph.example.com/.api/mcp",
            OAuth = new OAuthSpec
            {
                Issuer = "https://idp.example.com",
                Grant = GrantTypes.RefreshToken,
                ClientId = "mcp-operator",
                ClientSecretRef = new SecretKeyReference { Name = "idp-creds", Key = "client_secret" },
                RefreshTokenSecretRef = new SecretKeyReference { Name = "idp-creds", Key = "refresh_token" },
                Scopes = ["mcp:read"],
                Resource = "https://sourcegraph.example.com",
            },
            Refresh = new RefreshSpec { BeforeExpiry = KubeDuration.Parse("60s"), LifetimeFraction = 0.8 },
            Retry = new RetrySpec
            {
                InitialInterval = KubeDuration.Parse("10s"),
                MaxInterval = KubeDuration.Parse("2m"),
                MaxAttempts = 5,
                MaxElapsed = KubeDuration.Parse("5m"),
                TickInterval = KubeDuration.Parse("10m"),
                Ceiling = KubeDuration.Parse("24h"),
            },
        },
    };
}
