using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Patching;

/// <summary>
/// Strategic merge patch, approximated as a JSON merge patch after dropping the directive keys
/// kubectl adds (<c>$setElementOrder/…</c>, <c>$retainKeys</c>, <c>$deleteFromPrimitiveList/…</c>).
/// <c>$patch: delete</c> removes a map and <c>$patch: replace</c> replaces it. Lists are replaced
/// whole, so patches relying on merge keys (e.g. containers by name) are not merged element-wise.
/// </summary>
public static class StrategicMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var directive = patchObject["$patch"]?.GetValue<string>();
        if (directive == "delete")
        {
            return null;
        }

        if (directive == "replace")
        {
            var replaced = Clean(patchObject);
            return replaced;
        }

        var result = target is JsonObject targetObject ? targetObject.DeepClone().AsObject() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (key.StartsWith('$'))
            {
                continue;
            }

            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            var existing = result.TryGetPropertyValue(key, out var v) ? v : null;
            var merged = Apply(existing, value is JsonArray array ? CleanArray(array) : value);
            if (merged is null && value is JsonObject)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = merged;
            }
        }

        return result;
    }

    private static JsonObject Clean(JsonObject source)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in source)
        {
            if (!key.StartsWith('$'))
            {
                copy[key] = value is JsonObject o ? Clean(o) : value?.DeepClone();
            }
        }

        return copy;
    }

    private static JsonArray CleanArray(JsonArray array)
    {
        var copy = new JsonArray();
        foreach (var item in array)
        {
            if (item is JsonObject o && o["$patch"] is not null)
            {
                continue;
            }

            copy.Add(item is JsonObject obj ? Clean(obj) : item?.DeepClone());
        }

        return copy;
    }
}
