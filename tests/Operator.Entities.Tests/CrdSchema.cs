using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using NJsonSchema;
using NJsonSchema.Validation;

namespace RemoteWorkloadOperator.Entities.Tests;

/// <summary>The committed CRD's openAPIV3Schema as an executable JSON schema.</summary>
internal static class CrdSchema
{
    public static string CommittedPath { get; } = RepositoryPaths.Combine("config", "crd", "remoteworkloads.workloads.dev.yaml");

    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(CommittedPath));
        var openApi = crd.Spec.Versions.Single().Schema.OpenAPIV3Schema;
        // OpenAPI v3.0 schemas use draft-4 style boolean exclusive bounds, which NJsonSchema reads.
        var schema = JsonSchema.FromJsonAsync(KubernetesJson.Serialize(openApi)).GetAwaiter().GetResult();
        RefuseUnknownFields(schema);
        return schema;
    });

    /// <summary>
    /// The API server prunes unknown fields, and kubectl's default strict field validation turns
    /// them into errors; closing every object that declares properties mimics the latter.
    /// </summary>
    private static void RefuseUnknownFields(JsonSchema schema)
    {
        if (schema.Properties.Count > 0)
        {
            schema.AllowAdditionalProperties = false;
        }

        foreach (var child in schema.Properties.Values)
        {
            RefuseUnknownFields(child);
        }

        if (schema.Item is { } item)
        {
            RefuseUnknownFields(item);
        }
    }

    public static ICollection<ValidationError> Validate(JsonObject manifest) => Schema.Value.Validate(manifest.ToJsonString());
}
