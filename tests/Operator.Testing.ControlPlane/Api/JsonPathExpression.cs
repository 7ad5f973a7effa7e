using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Api;

/// <summary>
/// The JSONPath subset used by additionalPrinterColumns: <c>.a.b</c>, <c>.a[0]</c>, <c>.a[*]</c>,
/// <c>.a['k']</c> and filters <c>[?(@.type=="Ready")]</c> (==, !=), with optional <c>{}</c> braces.
/// </summary>
public static class JsonPathExpression
{
    public static List<JsonNode?> Evaluate(JsonNode? root, string path)
    {
        var expression = path.Trim();
        if (expression.StartsWith('{') && expression.EndsWith('}'))
        {
            expression = expression[1..^1];
        }

        if (expression.StartsWith('$'))
        {
            expression = expression[1..];
        }

        var current = new List<JsonNode?> { root };
        var i = 0;
        while (i < expression.Length && current.Count > 0)
        {
            var c = expression[i];
            if (c == '.')
            {
                i++;
                var start = i;
                while (i < expression.Length && expression[i] != '.' && expression[i] != '[')
                {
                    i++;
                }

                var name = expression[start..i];
                if (name.Length == 0)
                {
                    continue;
                }

                current = name == "*" ? current.SelectMany(Children).ToList() : current.Select(n => n is JsonObject o && o.TryGetPropertyValue(name, out var v) ? v : Missing).Where(n => !ReferenceEquals(n, Missing)).ToList();
            }
            else if (c == '[')
            {
                var end = FindClosingBracket(expression, i);
                var inner = expression[(i + 1)..end].Trim();
                i = end + 1;
                current = Subscript(current, inner);
            }
            else
            {
                throw new FormatException($"unsupported JSONPath at '{expression[i..]}' in {path}");
            }
        }

        return current;
    }

    private static readonly JsonNode Missing = JsonValue.Create("\u0000missing")!;

    private static IEnumerable<JsonNode?> Children(JsonNode? node) => node switch
    {
        JsonObject o => o.Select(p => p.Value),
        JsonArray a => a,
        _ => [],
    };

    private static int FindClosingBracket(string s, int open)
    {
        var depth = 0;
        var quote = '\0';
        for (var i = open; i < s.Length; i++)
        {
            var c = s[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }

                continue;
            }

            if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '[')
            {
                depth++;
            }
            else if (c == ']' && --depth == 0)
            {
                return i;
            }
        }

        throw new FormatException($"unclosed '[' in {s}");
    }

    private static List<JsonNode?> Subscript(List<JsonNode?> nodes, string inner)
    {
        if (inner == "*")
        {
            return nodes.SelectMany(Children).ToList();
        }

        if (inner.StartsWith("?(", StringComparison.Ordinal) && inner.EndsWith(')'))
        {
            var filter = inner[2..^1].Trim();
            return nodes.SelectMany(Children).Where(item => FilterMatches(item, filter)).ToList();
        }

        if (inner.Length >= 2 && inner[0] is '\'' or '"')
        {
            var key = inner[1..^1];
            return nodes.Select(n => n is JsonObject o && o.TryGetPropertyValue(key, out var v) ? v : Missing).Where(n => !ReferenceEquals(n, Missing)).ToList();
        }

        if (int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
        {
            var result = new List<JsonNode?>();
            foreach (var node in nodes)
            {
                if (node is JsonArray array)
                {
                    var at = index < 0 ? array.Count + index : index;
                    if (at >= 0 && at < array.Count)
                    {
                        result.Add(array[at]);
                    }
                }
            }

            return result;
        }

        throw new FormatException($"unsupported JSONPath subscript [{inner}]");
    }

    private static bool FilterMatches(JsonNode? item, string filter)
    {
        var op = filter.Contains("!=", StringComparison.Ordinal) ? "!=" : filter.Contains("==", StringComparison.Ordinal) ? "==" : null;
        if (op is null)
        {
            var existence = filter.TrimStart('@');
            return Evaluate(item, existence).Count > 0;
        }

        var parts = filter.Split(op, 2);
        var left = parts[0].Trim();
        var right = parts[1].Trim();
        if (!left.StartsWith('@'))
        {
            (left, right) = (right, left);
        }

        var values = Evaluate(item, left[1..]);
        var expected = right.Length >= 2 && right[0] is '"' or '\'' ? right[1..^1] : right;
        var equal = values.Count > 0 && Render(values[0]) == expected;
        return op == "==" ? equal : values.Count > 0 && !equal;
    }

    /// <summary>Renders a value the way kubectl's JSONPath printer does (strings bare, others as JSON).</summary>
    public static string Render(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
