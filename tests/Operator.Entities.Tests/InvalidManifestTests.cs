using k8s;
using RemoteWorkloadOperator.Entities.Validation;

namespace RemoteWorkloadOperator.Entities.Tests;

/// <summary>
/// Bad manifests as a user would write them: each must be refused by the CRD schema (what the
/// API server enforces) or by the operator's validator (what the operator enforces), and the
/// refusal must name the offending field.
/// </summary>
public sealed class InvalidManifestTests
{
    private const string Valid = """
        apiVersion: workloads.dev/v1alpha1
        kind: RemoteWorkload
        metadata: { name: w }
        spec:
          url: https://svc.example.com/mcp
          oauth:
            issuer: https://idp.example.com
            grant: RefreshToken
            clientId: c
            clientSecretRef: { name: creds, key: client_secret }
            refreshTokenSecretRef: { name: creds, key: refresh_token }
          refresh: { beforeExpiry: 60s, lifetimeFraction: 0.8 }
          retry: { initialInterval: 10s, maxInterval: 2m, maxAttempts: 5, tickInterval: 10m, ceiling: 24h }
        """;

    public static TheoryData<string, string, string, string> Cases => new()
    {
        // name, text to replace, replacement, field expected in a schema error path or validator problem
        { "http url", "url: https://svc.example.com/mcp", "url: http://svc.example.com/mcp", "spec.url" },
        { "url not a url", "url: https://svc.example.com/mcp", "url: svc.example.com", "spec.url" },
        { "both issuer and tokenUrl", "issuer: https://idp.example.com", "issuer: https://idp.example.com\n    tokenUrl: https://idp.example.com/token", "spec.oauth" },
        { "authorizationServer with issuer", "clientId: c", "clientId: c\n    authorizationServer: https://as.example.com", "spec.oauth.authorizationServer" },
        { "RefreshToken without refreshTokenSecretRef", "    refreshTokenSecretRef: { name: creds, key: refresh_token }\n", "", "spec.oauth.refreshTokenSecretRef" },
        { "ServiceAccountToken without serviceAccountToken", "    clientSecretRef: { name: creds, key: client_secret }\n", "    clientAuthentication: ServiceAccountToken\n", "spec.oauth.serviceAccountToken" },
        { "ServiceAccountToken of another namespace", "    clientSecretRef: { name: creds, key: client_secret }\n", "    clientAuthentication: ServiceAccountToken\n    serviceAccountToken: { name: kube-system/admin, audience: api://AzureADTokenExchange }\n", "spec.oauth.serviceAccountToken.name" },
        { "ServiceAccountToken with a client secret", "clientId: c", "clientId: c\n    clientAuthentication: ServiceAccountToken\n    serviceAccountToken: { name: idp, audience: api://AzureADTokenExchange }", "spec.oauth.clientSecretRef" },
        { "ServiceAccountToken lifetime under ten minutes", "    clientSecretRef: { name: creds, key: client_secret }\n", "    clientAuthentication: ServiceAccountToken\n    serviceAccountToken: { name: idp, audience: aud, expirationSeconds: 60 }\n", "spec.oauth.serviceAccountToken.expirationSeconds" },
        { "TokenExchange without tokenExchange", "    grant: RefreshToken\n", "    grant: TokenExchange\n", "spec.oauth.tokenExchange" },
        { "TokenExchange subject Secret without key", "    grant: RefreshToken\n", "    grant: TokenExchange\n    tokenExchange: { subjectTokenSecretRef: { name: subject } }\n", "spec.oauth.tokenExchange.subjectTokenSecretRef.key" },
        { "unknown grant", "grant: RefreshToken", "grant: Password", "spec.oauth.grant" },
        { "negative duration", "initialInterval: 10s", "initialInterval: -10s", "spec.retry.initialInterval" },
        { "malformed duration", "ceiling: 24h", "ceiling: 1 day", "spec.retry.ceiling" },
        { "duration without unit", "beforeExpiry: 60s", "beforeExpiry: 60", "spec.refresh.beforeExpiry" },
        { "tickInterval above ceiling", "ceiling: 24h", "ceiling: 5m", "spec.retry.tickInterval" },
        { "tickInterval below 10s", "tickInterval: 10m", "tickInterval: 5s", "spec.retry.tickInterval" },
        { "ceiling over 30 days", "ceiling: 24h", "ceiling: 800h", "spec.retry.ceiling" },
        { "probeInterval under a minute", "ceiling: 24h", "ceiling: 24h, probeInterval: 30s", "spec.retry.probeInterval" },
        { "probeInterval over a day", "ceiling: 24h", "ceiling: 24h, probeInterval: 25h", "spec.retry.probeInterval" },
        { "beforeExpiry over a day", "beforeExpiry: 60s", "beforeExpiry: 25h", "spec.refresh.beforeExpiry" },
        { "initialInterval above maxInterval", "maxInterval: 2m", "maxInterval: 5s", "spec.retry.initialInterval" },
        { "lifetimeFraction zero", "lifetimeFraction: 0.8", "lifetimeFraction: 0", "spec.refresh.lifetimeFraction" },
        { "lifetimeFraction one", "lifetimeFraction: 0.8", "lifetimeFraction: 1", "spec.refresh.lifetimeFraction" },
        { "maxAttempts zero", "maxAttempts: 5", "maxAttempts: 0", "spec.retry.maxAttempts" },
        { "maxAttempts above 10", "maxAttempts: 5", "maxAttempts: 100", "spec.retry.maxAttempts" },
        { "initialInterval under a second", "initialInterval: 10s", "initialInterval: 1ms", "spec.retry.initialInterval" },
        { "maxInterval under a second", "initialInterval: 10s, maxInterval: 2m", "initialInterval: 1ms, maxInterval: 1ms", "spec.retry.maxInterval" },
        { "maxAttempts not a number", "maxAttempts: 5", "maxAttempts: five", "spec.retry.maxAttempts" },
        { "secret ref without key", "clientSecretRef: { name: creds, key: client_secret }", "clientSecretRef: { name: creds }", "spec.oauth.clientSecretRef.key" },
        { "secret ref with namespace", "clientSecretRef: { name: creds, key: client_secret }", "clientSecretRef: { name: creds, key: client_secret, namespace: kube-system }", "spec.oauth.clientSecretRef.namespace" },
        { "metadata-address url", "issuer: https://idp.example.com", "issuer: https://169.254.169.254", "spec.oauth.issuer" },
        { "loopback url", "url: https://svc.example.com/mcp", "url: https://127.0.0.1:8443/mcp", "spec.url" },
        { "unknown client authentication", "clientId: c", "clientId: c\n    clientAuthentication: ClientSecretJwt", "spec.oauth.clientAuthentication" },
        { "missing url", "  url: https://svc.example.com/mcp\n", "", "spec.url" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_refused_naming_the_field(string name, string find, string replace, string field)
    {
        Assert.Contains(find, Valid, StringComparison.Ordinal);
        var manifest = YamlDocuments.Parse(Valid.Replace(find, replace, StringComparison.Ordinal)).Single();

        var blamed = Refusals(manifest);

        Assert.True(blamed.Any(path => path == field), $"{name}: expected a refusal naming {field}, got [{string.Join(", ", blamed)}]");
    }

    [Fact]
    public void Omitting_issuer_and_tokenUrl_to_discover_from_the_url_is_accepted()
    {
        var manifest = Valid.Replace("    issuer: https://idp.example.com\n", "    authorizationServer: https://as.example.com\n", StringComparison.Ordinal);

        Assert.Empty(Refusals(YamlDocuments.Parse(manifest).Single()));
    }

    [Fact]
    public void The_unchanged_manifest_is_accepted()
    {
        Assert.Empty(Refusals(YamlDocuments.Parse(Valid).Single()));
    }

    /// <summary>Field paths blamed by the schema, then by the validator (when the object can be read at all).</summary>
    private static List<string> Refusals(System.Text.Json.Nodes.JsonObject manifest)
    {
        var paths = CrdSchema.Validate(manifest)
            .SelectMany(Flatten)
            .Select(e => string.IsNullOrEmpty(e.Property) || e.Path?.EndsWith("." + e.Property, StringComparison.Ordinal) == true
                ? e.Path?.TrimStart('#', '/').Replace('/', '.') ?? ""
                : $"{e.Path?.TrimStart('#', '/').Replace('/', '.')}.{e.Property}".TrimStart('.'))
            .ToList();
        try
        {
            var workload = KubernetesJson.Deserialize<RemoteWorkload>(manifest.ToJsonString());
            paths.AddRange(RemoteWorkloadValidator.Validate(workload).Select(p => p.Field));
        }
        catch (System.Text.Json.JsonException)
        {
            // Wrong JSON types never reach the operator: the API server's schema check refuses them.
        }

        return paths;
    }

    private static IEnumerable<NJsonSchema.Validation.ValidationError> Flatten(NJsonSchema.Validation.ValidationError error) =>
        error is NJsonSchema.Validation.ChildSchemaValidationError child
            ? [error, .. child.Errors.SelectMany(e => e.Value).SelectMany(Flatten)]
            : [error];
}
