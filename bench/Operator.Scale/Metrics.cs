using System.Globalization;

namespace RemoteWorkloadOperator.Scale;

/// <summary>A scrape of the operator's Prometheus text: sums of samples by metric name and label filter.</summary>
internal sealed class Metrics(IReadOnlyList<(string Name, string Labels, double Value)> samples)
{
    public static async Task<Metrics> ScrapeAsync(HttpClient http, Uri uri)
    {
        var text = await http.GetStringAsync(uri);
        var samples = new List<(string, string, double)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            var head = line[..space];
            if (!double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var brace = head.IndexOf('{');
            samples.Add(brace < 0 ? (head, "", value) : (head[..brace], head[brace..], value));
        }

        return new Metrics(samples);
    }

    public static Metrics Empty { get; } = new([]);

    /// <summary>Sum of every sample of <paramref name="name"/> whose labels contain all of <paramref name="labelParts"/> (e.g. <c>to="Running"</c>).</summary>
    public double Sum(string name, params string[] labelParts) =>
        samples.Where(s => s.Name == name && labelParts.All(p => s.Labels.Contains(p, StringComparison.Ordinal))).Sum(s => s.Value);

    /// <summary>Every labelled sample of <paramref name="name"/>.</summary>
    public IEnumerable<(string Labels, double Value)> All(string name) => samples.Where(s => s.Name == name).Select(s => (s.Labels, s.Value));
}
