using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Http;

/// <summary>
/// meta.k8s.io/v1 Table rendering: Name plus the type's columns; for CRDs the additionalPrinterColumns
/// with the apiextensions table convertor's rules (missing values → null cells, <c>date</c> columns
/// rendered as human-readable ages, string columns printed like kubectl's JSONPath printer).
/// </summary>
internal static class TableBuilder
{
    public static JsonObject Build(ResourceType type, IEnumerable<JsonObject> items, string includeObject, string? resourceVersion, string? continueToken, bool includeColumns = true)
    {
        var now = DateTimeOffset.UtcNow;
        var table = new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = Metadata(resourceVersion, continueToken),
        };
        if (includeColumns)
        {
            var columns = new JsonArray
            {
                new JsonObject
                {
                    ["name"] = "Name",
                    ["type"] = "string",
                    ["format"] = "name",
                    ["description"] = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
                    ["priority"] = 0,
                },
            };
            foreach (var column in type.Columns)
            {
                columns.Add(new JsonObject
                {
                    ["name"] = column.Name,
                    ["type"] = column.Type,
                    ["format"] = column.Format,
                    ["description"] = column.Description,
                    ["priority"] = column.Priority,
                });
            }

            table["columnDefinitions"] = columns;
        }
        else
        {
            table["columnDefinitions"] = null;
        }

        var rows = new JsonArray();
        foreach (var item in items)
        {
            var cells = new JsonArray { item["metadata"]?["name"]?.GetValue<string>() ?? "" };
            foreach (var column in type.Columns)
            {
                cells.Add(Cell(column, item, now));
            }

            var row = new JsonObject { ["cells"] = cells };
            switch (includeObject)
            {
                case "Object":
                    row["object"] = item.DeepClone();
                    break;
                case "None":
                    break;
                default:
                    row["object"] = PartialObjectMetadata(item);
                    break;
            }

            rows.Add(row);
        }

        table["rows"] = rows;
        return table;
    }

    private static JsonObject Metadata(string? resourceVersion, string? continueToken)
    {
        var metadata = new JsonObject();
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }

        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }

        return metadata;
    }

    public static JsonObject PartialObjectMetadata(JsonObject item) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = item["metadata"]?.DeepClone(),
    };

    private static JsonNode? Cell(PrinterColumn column, JsonObject item, DateTimeOffset now)
    {
        if (column.JsonPath.StartsWith('#'))
        {
            return BuiltInCell(column.JsonPath, item, now);
        }

        List<JsonNode?> results;
        try
        {
            results = JsonPathExpression.Evaluate(item, column.JsonPath);
        }
        catch (FormatException)
        {
            return null;
        }

        if (results.Count == 0 || results[0] is null)
        {
            return null;
        }

        var value = results[0]!;
        return column.Type switch
        {
            "date" => value.GetValueKind() == JsonValueKind.String && DateTimeOffset.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                ? HumanDuration(now - t)
                : null,
            "integer" => value.GetValueKind() == JsonValueKind.Number ? value.DeepClone() : null,
            "number" => value.GetValueKind() == JsonValueKind.Number ? value.DeepClone() : null,
            "boolean" => value.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? value.DeepClone() : null,
            _ => JsonPathExpression.Render(value),
        };
    }

    private static JsonNode? BuiltInCell(string key, JsonObject item, DateTimeOffset now)
    {
        switch (key)
        {
            case "#data":
                var count = (item["data"] as JsonObject)?.Count ?? 0;
                count += (item["binaryData"] as JsonObject)?.Count ?? 0;
                return count;
            case "#secrets":
                return (item["secrets"] as JsonArray)?.Count ?? 0;
            case "#roleref":
                return $"{item["roleRef"]?["kind"]?.GetValue<string>()}/{item["roleRef"]?["name"]?.GetValue<string>()}";
            case "#involved":
                return $"{item["involvedObject"]?["kind"]?.GetValue<string>()?.ToLowerInvariant()}/{item["involvedObject"]?["name"]?.GetValue<string>()}";
            case "#lastseen":
                var stamp = item["lastTimestamp"]?.GetValue<string>() ?? item["eventTime"]?.GetValue<string>() ?? item["metadata"]?["creationTimestamp"]?.GetValue<string>();
                return stamp is not null && DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? HumanDuration(now - t) : "<unknown>";
            default:
                return null;
        }
    }

    /// <summary>apimachinery's <c>duration.HumanDuration</c>.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)Math.Floor(d.TotalSeconds);
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return $"{seconds}s";
        }

        var minutes = (long)d.TotalMinutes;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }

        if (minutes < 60 * 3)
        {
            return $"{minutes}m";
        }

        var hours = (long)d.TotalHours;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }

        if (hours < 48)
        {
            return $"{hours}h";
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }

        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24}d";
        }

        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{dy}d";
        }

        return $"{hours / 24 / 365}y";
    }
}
