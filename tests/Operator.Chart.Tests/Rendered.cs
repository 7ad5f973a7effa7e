using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Chart.Tests;

/// <summary>Lookups over rendered objects.</summary>
internal static class Rendered
{
    public static IEnumerable<JsonObject> OfKind(this IEnumerable<JsonObject> objects, string kind) =>
        objects.Where(o => (string?)o["kind"] == kind);

    public static JsonObject Single(this IEnumerable<JsonObject> objects, string kind)
    {
        var matches = objects.OfKind(kind).ToList();
        Assert.True(matches.Count == 1, $"expected exactly one {kind}, rendered {matches.Count}");
        return matches[0];
    }

    public static string Name(this JsonObject o) => (string)o["metadata"]!["name"]!;

    public static string? Namespace(this JsonObject o) => (string?)o["metadata"]!["namespace"];

    public static JsonObject Container(this JsonObject deployment) =>
        (JsonObject)deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;

    public static IReadOnlyList<string> Args(this JsonObject deployment) =>
        deployment.Container()["args"]!.AsArray().Select(a => (string)a!).ToList();

    /// <summary>Environment variables with a literal value (name → value); downward-API ones map to their fieldPath.</summary>
    public static IReadOnlyDictionary<string, string> Env(this JsonObject deployment) =>
        (deployment.Container()["env"]?.AsArray() ?? []).ToDictionary(
            e => (string)e!["name"]!,
            e => (string?)e!["value"] ?? "fieldRef:" + (string?)e["valueFrom"]?["fieldRef"]?["fieldPath"]);

    /// <summary>A rule set flattened to sorted "group/resource:verb" grants, so order and grouping do not matter.</summary>
    public static IReadOnlyList<string> Grants(JsonNode? rules) =>
        rules!.AsArray()
            .SelectMany(rule => rule!["apiGroups"]!.AsArray().SelectMany(group => rule["resources"]!.AsArray().SelectMany(resource =>
                rule["verbs"]!.AsArray().Select(verb => $"{(string?)group}/{(string?)resource}:{(string?)verb}"))))
            .Order(StringComparer.Ordinal)
            .ToList();
}
