using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Api;

/// <summary>Label selectors (=, ==, !=, in, notin, exists, !exists) and field selectors (=, ==, !=).</summary>
public sealed class Selector
{
    private readonly List<Func<Func<string, string?>, bool>> _terms = [];

    public static Selector Everything { get; } = new();

    public bool IsEmpty => _terms.Count == 0;

    public IReadOnlyList<string> Keys { get; private init; } = [];

    public bool Matches(Func<string, string?> lookup) => _terms.All(t => t(lookup));

    public bool MatchesLabels(JsonObject obj)
    {
        var labels = obj["metadata"]?["labels"] as JsonObject;
        return Matches(key => labels?[key]?.GetValue<string>());
    }

    public static Selector ParseLabels(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var keys = new List<string>();
        var selector = new Selector { Keys = keys };
        foreach (var raw in SplitTerms(text))
        {
            var term = raw.Trim();
            if (term.Length == 0)
            {
                continue;
            }

            var setMatch = System.Text.RegularExpressions.Regex.Match(term, @"^([^\s!=]+)\s+(in|notin)\s*\((.*)\)$");
            if (setMatch.Success)
            {
                var key = setMatch.Groups[1].Value;
                var values = setMatch.Groups[3].Value.Split(',').Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
                var notIn = setMatch.Groups[2].Value == "notin";
                keys.Add(key);
                selector._terms.Add(l => l(key) is { } v ? values.Contains(v) != notIn : notIn);
            }
            else if (term.StartsWith('!'))
            {
                var key = term[1..].Trim();
                keys.Add(key);
                selector._terms.Add(l => l(key) is null);
            }
            else if (term.Contains("!=", StringComparison.Ordinal))
            {
                var parts = term.Split("!=", 2);
                var key = parts[0].Trim();
                var value = parts[1].Trim();
                keys.Add(key);
                selector._terms.Add(l => l(key) != value);
            }
            else if (term.Contains('=', StringComparison.Ordinal))
            {
                var parts = term.Split(term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
                var key = parts[0].Trim();
                var value = parts[1].Trim();
                keys.Add(key);
                selector._terms.Add(l => l(key) == value);
            }
            else
            {
                var key = term;
                keys.Add(key);
                selector._terms.Add(l => l(key) is not null);
            }
        }

        return selector;
    }

    public static Selector ParseFields(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var keys = new List<string>();
        var selector = new Selector { Keys = keys };
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            if (term.Length == 0)
            {
                continue;
            }

            var negate = term.Contains("!=", StringComparison.Ordinal);
            var parts = term.Split(negate ? "!=" : term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            if (parts.Length != 2)
            {
                throw Status.BadRequest($"invalid field selector: '{term}'");
            }

            var key = parts[0].Trim();
            var value = parts[1].Trim();
            keys.Add(key);
            selector._terms.Add(l => (l(key) ?? "") == value != negate);
        }

        return selector;
    }

    /// <summary>Looks a dotted field path up in an object, rendering scalars as strings.</summary>
    public static string? Field(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
            if (node is null)
            {
                return null;
            }
        }

        return JsonPathExpression.Render(node);
    }

    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(')
            {
                depth++;
            }
            else if (text[i] == ')')
            {
                depth--;
            }
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }
}
