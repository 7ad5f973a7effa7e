using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Chart.Tests;

/// <summary>Dotted paths of a values tree, stopping at free-form maps (empty objects) and lists.</summary>
internal static class ValuePaths
{
    public static IEnumerable<string> Leaves(JsonObject values, string prefix = "")
    {
        foreach (var (key, value) in values)
        {
            var path = prefix + key;
            if (value is JsonObject child && child.Count > 0 && !IsFreeForm(path))
            {
                foreach (var nested in Leaves(child, path + "."))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    /// <summary>Maps passed to Kubernetes as they are (their keys are not values of the chart).</summary>
    private static bool IsFreeForm(string path) => path is "resources";
}
