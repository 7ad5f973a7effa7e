using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Prometheus;
using RemoteWorkloadOperator.Observability;

namespace RemoteWorkloadOperator.Chart.Tests;

/// <summary>The PrometheusRule, the Grafana dashboard and the pod's termination grace period.</summary>
public sealed partial class MonitoringTests
{
    private static readonly string[] Enabled = ["--set", "prometheusRule.enabled=true", "--set", "grafanaDashboard.enabled=true"];

    [Fact]
    public void Termination_grace_period_leaves_room_for_a_token_request_and_the_refresh_token_write()
    {
        var pod = Helm.Template().Single("Deployment")["spec"]!["template"]!["spec"]!;
        Assert.Equal(60, (long)pod["terminationGracePeriodSeconds"]!);
        var custom = Helm.Template("--set", "terminationGracePeriodSeconds=90").Single("Deployment")["spec"]!["template"]!["spec"]!;
        Assert.Equal(90, (long)custom["terminationGracePeriodSeconds"]!);
        Assert.NotEqual(0, Helm.TryTemplate("--set", "terminationGracePeriodSeconds=-1").ExitCode);
    }

    [Fact]
    public void Prometheus_rule_and_dashboard_are_rendered_only_when_enabled()
    {
        var defaults = Helm.Template();
        Assert.Empty(defaults.OfKind("PrometheusRule"));
        Assert.DoesNotContain(defaults.OfKind("ConfigMap"), c => c.Name().EndsWith("-dashboard", StringComparison.Ordinal));

        var enabled = Helm.Template(Enabled);
        enabled.Single("PrometheusRule");
        var dashboard = enabled.OfKind("ConfigMap").Single(c => c.Name().EndsWith("-dashboard", StringComparison.Ordinal));
        Assert.Equal("1", (string?)dashboard["metadata"]!["labels"]!["grafana_dashboard"]);
    }

    [Fact]
    public void Every_alert_has_an_expression_a_severity_and_a_summary_with_the_configured_thresholds()
    {
        var rules = Rules(Helm.Template([.. Enabled, "--set", "prometheusRule.authRetryingSeconds=1800", "--set", "prometheusRule.tokenExpiringSeconds=300", "--set", "prometheusRule.noLeaderFor=10m", "--set", "prometheusRule.alertLabels.team=platform"]));

        Assert.Equal(["RemoteWorkloadAuthRetrying", "RemoteWorkloadUnauthenticated", "RemoteWorkloadTokenExpiringSoon", "RemoteWorkloadOperatorNoLeader"], rules.Select(r => (string)r["alert"]!));
        foreach (var rule in rules)
        {
            var expression = (string)rule["expr"]!;
            Assert.Equal(expression.Count(c => c == '('), expression.Count(c => c == ')'));
            Assert.Matches(@"^\d+[smh]$", (string)rule["for"]!);
            Assert.Contains((string)rule["labels"]!["severity"]!, new[] { "warning", "critical" });
            Assert.Equal("platform", (string?)rule["labels"]!["team"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)rule["annotations"]!["summary"]));
        }

        Assert.EndsWith("> 1800", (string)rules[0]["expr"]!, StringComparison.Ordinal);
        Assert.EndsWith("< 300", (string)rules[2]["expr"]!, StringComparison.Ordinal);
        Assert.Equal("10m", (string)rules[3]["for"]!);
        // Prometheus expands $labels in annotations; Helm must have left them for it.
        Assert.Contains("{{ $labels.namespace }}/{{ $labels.name }}", (string)rules[0]["annotations"]!["summary"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_metric_the_alerts_and_the_dashboard_use_is_one_the_operator_exports()
    {
        var exported = await ExportedMetricFamiliesAsync();
        var rendered = Helm.Template(Enabled);
        var expressions = Rules(rendered).Select(r => (string)r["expr"]!).ToList();
        var dashboard = JsonNode.Parse((string)rendered.OfKind("ConfigMap").Single(c => c.Name().EndsWith("-dashboard", StringComparison.Ordinal))["data"]!["remoteworkload-operator.json"]!)!;
        expressions.AddRange(dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray()).Select(t => (string)t!["expr"]!));

        var used = expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string> { "remoteworkload_leader", "remoteworkload_workloads", "remoteworkload_token_expiry_timestamp_seconds", "remoteworkload_auth_retrying_started_timestamp_seconds" }, used);
        var unknown = used.Select(m => Regex.Replace(m, "_bucket$", "")).Where(m => !exported.Contains(m)).ToList();
        Assert.True(unknown.Count == 0, $"not exported by the operator: {string.Join(", ", unknown)}; exported: {string.Join(", ", exported)}");
    }

    private static List<JsonObject> Rules(IEnumerable<JsonObject> rendered) =>
        rendered.Single("PrometheusRule")["spec"]!["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!.AsObject()).ToList();

    /// <summary>The families in the operator's real /metrics text (the same registry setup Program.cs uses).</summary>
    private static async Task<HashSet<string>> ExportedMetricFamiliesAsync()
    {
        var registry = Metrics.NewCustomRegistry();
        _ = new OperatorMetrics(registry);
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        return TypeLine().Matches(text).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"remoteworkload_[a-z_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^# TYPE (?<name>\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
