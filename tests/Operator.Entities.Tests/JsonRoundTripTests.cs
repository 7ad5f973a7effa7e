using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace RemoteWorkloadOperator.Entities.Tests;

public sealed class JsonRoundTripTests
{
    private const string FullWorkload = """
        {
          "apiVersion": "workloads.dev/v1alpha1",
          "kind": "RemoteWorkload",
          "metadata": { "name": "sourcegraph", "namespace": "team-a", "generation": 3 },
          "spec": {
            "url": "https://sourcegraph.example.com/.api/mcp",
            "oauth": {
              "issuer": "https://idp.example.com",
              "grant": "RefreshToken",
              "clientId": "mcp-operator",
              "clientSecretRef": { "name": "idp-creds", "key": "client_secret" },
              "refreshTokenSecretRef": { "name": "idp-creds", "key": "refresh_token" },
              "clientAuthentication": "ClientSecretBasic",
              "scopes": ["mcp:read"],
              "resource": "https://sourcegraph.example.com"
            },
            "tokenSecret": { "name": "sourcegraph-token", "ownership": "Owner" },
            "refresh": { "beforeExpiry": "60s", "lifetimeFraction": 0.8 },
            "retry": {
              "initialInterval": "10s", "maxInterval": "2m", "maxAttempts": 5,
              "maxElapsed": "5m", "tickInterval": "10m", "ceiling": "1h30m"
            }
          },
          "status": {
            "phase": "AuthRetrying",
            "observedGeneration": 3,
            "reason": "TokenEndpointUnavailable",
            "message": "token endpoint answered HTTP 503",
            "conditions": [
              { "type": "AuthRetrying", "status": "True", "reason": "TransientFailure", "message": "retrying",
                "lastTransitionTime": "2026-11-24T09:14:03Z", "observedGeneration": 3 }
            ],
            "token": { "secretName": "sourcegraph-token", "expiresAt": "2026-11-24T10:00:00Z" },
            "authRetry": {
              "startedAt": "2026-11-24T09:14:03Z", "deadline": "2026-11-25T09:14:03Z", "attempts": 7,
              "lastError": "HTTP 503 from token endpoint (Retry-After 7s)"
            },
            "lastHandledRetryRequest": "2026-11-24T10:00:00Z"
          }
        }
        """;

    [Fact]
    public void Full_workload_survives_a_round_trip_unchanged()
    {
        var workload = KubernetesJson.Deserialize<RemoteWorkload>(FullWorkload);

        Assert.Equal("idp-creds", workload.Spec.OAuth.RefreshTokenSecretRef?.Name);
        Assert.Equal(TimeSpan.FromMinutes(90), workload.Spec.Retry?.Ceiling?.Value);
        Assert.Equal(WorkloadPhase.AuthRetrying, workload.Status?.Phase);
        Assert.Equal(new DateTime(2026, 11, 25, 9, 14, 3, DateTimeKind.Utc), workload.Status?.AuthRetry?.Deadline?.ToUniversalTime());

        var written = JsonNode.Parse(KubernetesJson.Serialize(workload))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(FullWorkload), written), written.ToJsonString());
    }

    [Fact]
    public void Minimal_workload_omits_every_unset_field()
    {
        var workload = new RemoteWorkload
        {
            Metadata = new V1ObjectMeta { Name = "billing", NamespaceProperty = "team-b" },
            Spec = new RemoteWorkloadSpec
            {
                Url = "https://billing.example.com",
                OAuth = new OAuthSpec
                {
                    TokenUrl = "https://idp.example.com/token",
                    Grant = GrantTypes.ClientCredentials,
                    ClientId = "billing",
                    ClientSecretRef = new SecretKeyReference { Name = "billing-creds", Key = "client_secret" },
                },
            },
        };

        var json = JsonNode.Parse(KubernetesJson.Serialize(workload))!;

        var expected = JsonNode.Parse("""
            {
              "apiVersion": "workloads.dev/v1alpha1",
              "kind": "RemoteWorkload",
              "metadata": { "name": "billing", "namespace": "team-b" },
              "spec": {
                "url": "https://billing.example.com",
                "oauth": {
                  "tokenUrl": "https://idp.example.com/token",
                  "grant": "ClientCredentials",
                  "clientId": "billing",
                  "clientSecretRef": { "name": "billing-creds", "key": "client_secret" }
                }
              }
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, json), json.ToJsonString());
    }

    [Fact]
    public void Durations_keep_their_text_and_malformed_ones_do_not_throw()
    {
        var workload = KubernetesJson.Deserialize<RemoteWorkload>("""
            { "spec": { "url": "https://x.example.com", "oauth": { "grant": "ClientCredentials", "clientId": "c" },
              "retry": { "tickInterval": "90s", "ceiling": "soon", "maxElapsed": 300 } } }
            """);

        Assert.Equal("90s", workload.Spec.Retry?.TickInterval?.Text);
        Assert.Equal(TimeSpan.FromSeconds(90), workload.Spec.Retry?.TickInterval?.Value);
        Assert.Equal("soon", workload.Spec.Retry?.Ceiling?.Text);
        Assert.Null(workload.Spec.Retry?.Ceiling?.Value);
        Assert.Equal("300", workload.Spec.Retry?.MaxElapsed?.Text);
        Assert.Null(workload.Spec.Retry?.MaxElapsed?.Value);
    }

    [Fact]
    public void Unknown_enum_like_values_are_kept_for_validation_instead_of_failing_the_read()
    {
        var workload = KubernetesJson.Deserialize<RemoteWorkload>("""
            { "spec": { "url": "https://x.example.com", "oauth": { "grant": "Password", "clientId": "c", "clientAuthentication": "PrivateKeyJwt" } } }
            """);

        Assert.Equal("Password", workload.Spec.OAuth.Grant);
        Assert.Equal("PrivateKeyJwt", workload.Spec.OAuth.ClientAuthentication);
    }
}
