namespace RemoteWorkloadOperator.Demo;

/// <summary>Calls the operator's /healthz, /readyz and /metrics the way the chart's probes and a Prometheus scrape do.</summary>
internal static class OperatorEndpoints
{
    public static async Task<bool> CheckAsync(Narrator narrator, int port, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var ok = true;
        foreach (var path in new[] { "/healthz", "/readyz", "/metrics" })
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"), cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var series = path == "/metrics" ? $", {body.Split('\n').Count(l => l.StartsWith("remoteworkload_", StringComparison.Ordinal))} remoteworkload_ samples" : "";
            narrator.Say($"GET {path} -> {(int)response.StatusCode}{series}");
            ok &= response.IsSuccessStatusCode && (path != "/metrics" || body.Contains("remoteworkload_", StringComparison.Ordinal));
        }

        return ok;
    }
}
