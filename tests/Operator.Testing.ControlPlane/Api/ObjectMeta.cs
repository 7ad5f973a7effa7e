using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Api;

/// <summary>Helpers for the metadata of stored JSON objects.</summary>
internal static partial class ObjectMeta
{
    public static JsonObject Of(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            obj["metadata"] = metadata;
        }

        return metadata;
    }

    public static string? Str(JsonObject obj, string field) => obj["metadata"]?[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string Name(JsonObject obj) => Str(obj, "name") ?? "";

    public static string Namespace(JsonObject obj) => Str(obj, "namespace") ?? "";

    public static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static List<string> Finalizers(JsonObject obj) =>
        (obj["metadata"]?["finalizers"] as JsonArray)?.Select(f => f!.GetValue<string>()).ToList() ?? [];

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    public static FieldError? ValidateName(string name, bool dnsLabel, string field = "metadata.name")
    {
        if (dnsLabel)
        {
            if (name.Length > 63 || !Label().IsMatch(name))
            {
                return FieldError.Invalid(field, $"\"{name}\"", "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
            }
        }
        else if (name.Length > 253 || !Subdomain().IsMatch(name))
        {
            return FieldError.Invalid(field, $"\"{name}\"", "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
        }

        return null;
    }

    /// <summary>A copy without the fields the server changes on every write, for no-op detection.</summary>
    public static JsonObject Comparable(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        if (copy["metadata"] is JsonObject metadata)
        {
            metadata.Remove("resourceVersion");
            metadata.Remove("managedFields");
        }

        return copy;
    }

    /// <summary>A copy without metadata and status: what generation tracks.</summary>
    public static JsonObject SpecPart(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        copy.Remove("metadata");
        copy.Remove("status");
        copy.Remove("apiVersion");
        copy.Remove("kind");
        return copy;
    }
}
