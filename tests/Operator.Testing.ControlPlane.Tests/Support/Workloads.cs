using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

/// <summary>RemoteWorkload bodies and client shortcuts for the custom resource.</summary>
internal static class Workloads
{
    public const string Group = "workloads.dev";
    public const string Version = "v1alpha1";
    public const string Plural = "remoteworkloads";

    public static JsonObject New(string name, string url = "https://svc.example.com/api") => JsonNode.Parse($$"""
        {
          "apiVersion": "workloads.dev/v1alpha1",
          "kind": "RemoteWorkload",
          "metadata": { "name": "{{name}}" },
          "spec": {
            "url": "{{url}}",
            "oauth": { "tokenUrl": "https://idp.example.com/token", "grant": "ClientCredentials", "clientId": "c1",
                       "clientSecretRef": { "name": "creds", "key": "client_secret" } }
          }
        }
        """)!.AsObject();

    public static async Task<JsonObject> CreateAsync(this Kubernetes client, JsonObject body, string ns = "default") =>
        await client.CustomObjects.CreateNamespacedCustomObjectAsync<JsonObject>(body, Group, Version, ns, Plural, cancellationToken: TestContext.Current.CancellationToken);

    public static async Task<JsonObject> GetWorkloadAsync(this Kubernetes client, string name, string ns = "default") =>
        await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(Group, Version, ns, Plural, name, TestContext.Current.CancellationToken);

    public static async Task<JsonObject> ReplaceAsync(this Kubernetes client, JsonObject body, string ns = "default") =>
        await client.CustomObjects.ReplaceNamespacedCustomObjectAsync<JsonObject>(body, Group, Version, ns, Plural, body["metadata"]!["name"]!.GetValue<string>(), cancellationToken: TestContext.Current.CancellationToken);

    public static async Task<JsonObject> PatchStatusAsync(this Kubernetes client, string name, string mergePatch, string ns = "default") =>
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync<JsonObject>(new k8s.Models.V1Patch(mergePatch, k8s.Models.V1Patch.PatchType.MergePatch), Group, Version, ns, Plural, name, cancellationToken: TestContext.Current.CancellationToken);

    public static async Task<JsonObject> PatchAsync(this Kubernetes client, string name, string patch, k8s.Models.V1Patch.PatchType type, string ns = "default") =>
        await client.CustomObjects.PatchNamespacedCustomObjectAsync<JsonObject>(new k8s.Models.V1Patch(patch, type), Group, Version, ns, Plural, name, cancellationToken: TestContext.Current.CancellationToken);

    public static async Task DeleteWorkloadAsync(this Kubernetes client, string name, string ns = "default") =>
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Version, ns, Plural, name, cancellationToken: TestContext.Current.CancellationToken);

    public static string Rv(this JsonObject obj) => obj["metadata"]!["resourceVersion"]!.GetValue<string>();

    public static long Generation(this JsonObject obj) => obj["metadata"]!["generation"]!.GetValue<long>();

    /// <summary>Runs a call expected to fail and returns the HTTP status and the Status body.</summary>
    public static async Task<(int Code, JsonObject Status)> FailureOf(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(call);
        return ((int)e.Response.StatusCode, JsonNode.Parse(e.Response.Content)!.AsObject());
    }

    public static JsonObject ToNode<T>(T value) => JsonSerializer.SerializeToNode(value)!.AsObject();
}
