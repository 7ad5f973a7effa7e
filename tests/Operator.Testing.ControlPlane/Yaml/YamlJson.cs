using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Yaml;

/// <summary>Reads (multi-document) YAML into JSON nodes with YAML 1.2 core-schema scalars, as kubectl does.</summary>
public static class YamlJson
{
    public static List<JsonObject> ReadDocuments(string yaml)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml))
        {
            stream.Load(reader);
        }

        var result = new List<JsonObject>();
        foreach (var document in stream.Documents)
        {
            if (Convert(document.RootNode) is JsonObject obj)
            {
                if (obj["kind"]?.GetValue<string>() is { } kind && kind.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items)
                {
                    result.AddRange(items.OfType<JsonObject>().Select(i => Normalize(i).AsObject()));
                }
                else
                {
                    result.Add(Normalize(obj).AsObject());
                }
            }
        }

        return result;
    }

    public static JsonNode? ReadOne(string yaml)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml))
        {
            stream.Load(reader);
        }

        return stream.Documents.Count == 0 ? null : Normalize(Convert(stream.Documents[0].RootNode));
    }

    /// <summary>Re-parses a node so every value is JSON-element backed (uniform numeric access).</summary>
    public static JsonNode Normalize(JsonNode? node) => JsonNode.Parse(node?.ToJsonString() ?? "null")!;

    public static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    obj[((YamlScalarNode)key).Value ?? ""] = Convert(value);
                }

                return obj;
            case YamlSequenceNode seq:
                var array = new JsonArray();
                foreach (var item in seq.Children)
                {
                    array.Add(Convert(item));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                return null;
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }

        if (!scalar.Tag.IsEmpty && scalar.Tag.Value == "tag:yaml.org,2002:str")
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (value.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(value[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }

        if (System.Text.RegularExpressions.Regex.IsMatch(value, @"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
            && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(value);
    }
}
