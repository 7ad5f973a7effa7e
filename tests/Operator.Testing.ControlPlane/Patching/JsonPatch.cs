using System.Globalization;
using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Patching;

/// <summary>RFC 6902 JSON patch (add, remove, replace, move, copy, test).</summary>
public static class JsonPatch
{
    public static JsonNode? Apply(JsonNode? target, JsonArray operations)
    {
        var document = new JsonObject { ["root"] = target?.DeepClone() };
        foreach (var node in operations)
        {
            if (node is not JsonObject operation)
            {
                throw Status.BadRequest("json: cannot unmarshal a non-object into a patch operation");
            }

            var op = operation["op"]?.GetValue<string>() ?? "";
            var path = operation["path"]?.GetValue<string>() ?? throw Status.Invalid422("missing path");
            switch (op)
            {
                case "add":
                    Add(document, path, operation["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(document, path);
                    break;
                case "replace":
                    Remove(document, path);
                    Add(document, path, operation["value"]?.DeepClone());
                    break;
                case "move":
                    {
                        var from = operation["from"]?.GetValue<string>() ?? "";
                        var value = Get(document, from);
                        Remove(document, from);
                        Add(document, path, value?.DeepClone());
                        break;
                    }

                case "copy":
                    {
                        var from = operation["from"]?.GetValue<string>() ?? "";
                        Add(document, path, Get(document, from)?.DeepClone());
                        break;
                    }

                case "test":
                    {
                        var actual = Get(document, path);
                        if (!JsonNode.DeepEquals(actual, operation["value"]))
                        {
                            throw Status.Invalid422($"testing value {path} failed: test failed");
                        }

                        break;
                    }

                default:
                    throw Status.Invalid422($"Unexpected kind: {op}");
            }
        }

        return document["root"]?.DeepClone();
    }

    private static List<string> Tokens(string pointer)
    {
        if (pointer.Length == 0)
        {
            return ["root"];
        }

        if (!pointer.StartsWith('/'))
        {
            throw Status.Invalid422($"invalid JSON pointer: {pointer}");
        }

        return ["root", .. pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static JsonNode? Parent(JsonObject document, List<string> tokens, string pointer)
    {
        JsonNode? current = document;
        foreach (var token in tokens.Take(tokens.Count - 1))
        {
            current = Child(current, token) ?? throw Status.Invalid422($"doc is missing path: \"{pointer}\": missing value");
        }

        return current;
    }

    private static JsonNode? Child(JsonNode? node, string token) => node switch
    {
        JsonObject o => o.TryGetPropertyValue(token, out var v) ? v : null,
        JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
        _ => null,
    };

    private static JsonNode? Get(JsonObject document, string pointer)
    {
        JsonNode? current = document;
        foreach (var token in Tokens(pointer))
        {
            current = Child(current, token);
        }

        return current;
    }

    private static void Add(JsonObject document, string pointer, JsonNode? value)
    {
        var tokens = Tokens(pointer);
        var parent = Parent(document, tokens, pointer);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a:
                if (last == "-")
                {
                    a.Add(value);
                }
                else if (int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index <= a.Count)
                {
                    a.Insert(index, value);
                }
                else
                {
                    throw Status.Invalid422($"add operation does not apply: doc is missing path: \"{pointer}\": missing value");
                }

                break;
            default:
                throw Status.Invalid422($"add operation does not apply: doc is missing path: \"{pointer}\": missing value");
        }
    }

    private static void Remove(JsonObject document, string pointer)
    {
        var tokens = Tokens(pointer);
        var parent = Parent(document, tokens, pointer);
        var last = tokens[^1];
        var removed = parent switch
        {
            JsonObject o => o.Remove(last),
            JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => RemoveAt(a, i),
            _ => false,
        };
        if (!removed)
        {
            throw Status.Invalid422($"doc is missing path: \"{pointer}\": missing value");
        }
    }

    private static bool RemoveAt(JsonArray array, int index)
    {
        array.RemoveAt(index);
        return true;
    }
}
