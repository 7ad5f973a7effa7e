using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Patching;

/// <summary>
/// Server-side apply, simplified: the applied configuration is merged into the live object
/// (maps recursively, <c>x-kubernetes-list-type: map</c> lists by their keys, other lists replaced),
/// and fields the same field manager applied last time but no longer applies are removed.
/// Ownership conflicts between managers are not detected.
/// </summary>
public static class ApplyMerge
{
    public static JsonObject Merge(JsonObject live, JsonObject applied, JsonObject? previouslyApplied, JsonObject? schema)
    {
        var result = live.DeepClone().AsObject();
        MergeInto(result, applied, schema);
        if (previouslyApplied is not null)
        {
            RemoveDropped(result, applied, previouslyApplied);
        }

        return result;
    }

    private static void MergeInto(JsonObject target, JsonObject applied, JsonObject? schema)
    {
        foreach (var (key, value) in applied)
        {
            var propertySchema = schema?["properties"]?[key] as JsonObject ?? schema?["additionalProperties"] as JsonObject;
            var existing = target.TryGetPropertyValue(key, out var v) ? v : null;
            if (value is JsonObject appliedChild && existing is JsonObject liveChild)
            {
                MergeInto(liveChild, appliedChild, propertySchema);
            }
            else if (value is JsonArray appliedList && existing is JsonArray liveList && propertySchema?["x-kubernetes-list-type"]?.GetValue<string>() == "map")
            {
                var keys = propertySchema["x-kubernetes-list-map-keys"]?.AsArray().Select(k => k!.GetValue<string>()).ToList() ?? [];
                target[key] = MergeMapList(liveList, appliedList, keys, propertySchema["items"] as JsonObject);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static JsonArray MergeMapList(JsonArray live, JsonArray applied, List<string> keys, JsonObject? itemSchema)
    {
        var result = live.DeepClone().AsArray();
        foreach (var item in applied.OfType<JsonObject>())
        {
            var match = result.OfType<JsonObject>().FirstOrDefault(l => keys.All(k => JsonNode.DeepEquals(l[k], item[k])));
            if (match is null)
            {
                result.Add(item.DeepClone());
            }
            else
            {
                MergeInto(match, item, itemSchema);
            }
        }

        return result;
    }

    private static void RemoveDropped(JsonObject target, JsonObject applied, JsonObject previous)
    {
        foreach (var (key, value) in previous)
        {
            if (!applied.TryGetPropertyValue(key, out var now))
            {
                if (value is JsonObject previousChild2 && target[key] is JsonObject targetChild2)
                {
                    // Only the leaves this manager applied go; keys set by others stay.
                    RemoveDropped(targetChild2, [], previousChild2);
                    if (targetChild2.Count == 0)
                    {
                        target.Remove(key);
                    }
                }
                else
                {
                    target.Remove(key);
                }
            }
            else if (value is JsonObject previousChild && now is JsonObject appliedChild && target[key] is JsonObject targetChild)
            {
                RemoveDropped(targetChild, appliedChild, previousChild);
            }
        }
    }
}
