using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Patching;

/// <summary>RFC 7386 JSON merge patch.</summary>
public static class JsonMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? targetObject.DeepClone().AsObject() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var existing = result.TryGetPropertyValue(key, out var v) ? v : null;
                result[key] = Apply(existing, value);
            }
        }

        return result;
    }
}
