using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Chart.Tests;

public sealed class RenderTests
{
    public static TheoryData<string> ValueSets => new("defaults", "custom.yaml");

    internal static IReadOnlyList<JsonObject> Render(string valueSet) =>
        valueSet == "defaults" ? Helm.Template() : Helm.Template("--values", Helm.ValuesFile(valueSet));

    [Fact]
    public void Helm_lint_passes_with_defaults()
    {
        var result = Helm.Run("lint", "--strict", Helm.ChartPath);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
    }

    [Fact]
    public void Helm_lint_passes_with_every_switch_changed()
    {
        var result = Helm.Run("lint", "--strict", Helm.ChartPath, "--values", Helm.ValuesFile("custom.yaml"));

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Every_rendered_object_parses_and_is_a_named_kubernetes_object(string valueSet)
    {
        var objects = Render(valueSet);

        Assert.NotEmpty(objects);
        foreach (var o in objects)
        {
            Assert.False(string.IsNullOrEmpty((string?)o["apiVersion"]), $"apiVersion missing: {o.ToJsonString()[..Math.Min(200, o.ToJsonString().Length)]}");
            Assert.False(string.IsNullOrEmpty((string?)o["kind"]), $"kind missing: {o["apiVersion"]}");
            Assert.False(string.IsNullOrEmpty((string?)o["metadata"]?["name"]), $"metadata.name missing on {o["kind"]}");
        }
    }

    [Fact]
    public void Defaults_render_the_cluster_wide_set_of_objects()
    {
        var kinds = Helm.Template().Select(o => $"{o["kind"]}/{o.Name()}").Order(StringComparer.Ordinal);

        Assert.Equal(
            [
                "ClusterRole/rw-remoteworkload-operator",
                "ClusterRoleBinding/rw-remoteworkload-operator",
                "CustomResourceDefinition/remoteworkloads.workloads.dev",
                "Deployment/rw-remoteworkload-operator",
                "Role/rw-remoteworkload-operator-leader-election",
                "RoleBinding/rw-remoteworkload-operator-leader-election",
                "Service/rw-remoteworkload-operator-metrics",
                "ServiceAccount/rw-remoteworkload-operator",
            ],
            kinds);
    }

    [Fact]
    public void Custom_values_render_per_namespace_rbac_service_monitor_and_pdb()
    {
        var kinds = Helm.Template("--values", Helm.ValuesFile("custom.yaml"))
            .Select(o => $"{o["kind"]}/{o.Namespace()}/{o.Name()}").Order(StringComparer.Ordinal);

        Assert.Equal(
            [
                "CustomResourceDefinition//remoteworkloads.workloads.dev",
                "Deployment/remoteworkload-system/rwo",
                "PodDisruptionBudget/remoteworkload-system/rwo",
                "Role/remoteworkload-system/rwo-leader-election",
                "Role/team-a/rwo",
                "Role/team-b/rwo",
                "RoleBinding/remoteworkload-system/rwo-leader-election",
                "RoleBinding/team-a/rwo",
                "RoleBinding/team-b/rwo",
                "Service/remoteworkload-system/rwo-metrics",
                "ServiceAccount/remoteworkload-system/rwo",
                "ServiceMonitor/remoteworkload-system/rwo",
            ],
            kinds);
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Namespaced_objects_of_the_operator_live_in_the_release_namespace(string valueSet)
    {
        foreach (var o in Render(valueSet).Where(o => (string?)o["kind"] is "Deployment" or "ServiceAccount" or "Service" or "ServiceMonitor" or "PodDisruptionBudget"))
        {
            Assert.Equal(Helm.ReleaseNamespace, o.Namespace());
        }
    }

    [Fact]
    public void Metrics_service_selects_the_operator_pods_on_the_metrics_port()
    {
        var objects = Helm.Template();
        var service = objects.Single("Service");
        var deployment = objects.Single("Deployment");

        var podLabels = deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        foreach (var (key, value) in service["spec"]!["selector"]!.AsObject())
        {
            Assert.Equal((string?)value, (string?)podLabels[key]);
        }

        var port = service["spec"]!["ports"]!.AsArray().Single()!;
        Assert.Equal(8080, (long)port["port"]!);
        Assert.Equal("metrics", (string?)port["targetPort"]);
        Assert.Equal("metrics", (string?)deployment.Container()["ports"]![0]!["name"]);
        Assert.Equal(8080, (long)deployment.Container()["ports"]![0]!["containerPort"]!);
    }

    [Fact]
    public void Service_monitor_is_rendered_only_when_enabled_and_scrapes_the_metrics_service()
    {
        Assert.Empty(Helm.Template().OfKind("ServiceMonitor"));

        var objects = Helm.Template("--values", Helm.ValuesFile("custom.yaml"));
        var monitor = objects.Single("ServiceMonitor");
        var service = objects.Single("Service");
        Assert.Equal("monitoring.coreos.com/v1", (string?)monitor["apiVersion"]);
        Assert.Equal("prometheus", (string?)monitor["metadata"]!["labels"]!["release"]);
        var endpoint = monitor["spec"]!["endpoints"]!.AsArray().Single()!;
        Assert.Equal("metrics", (string?)endpoint["port"]);
        Assert.Equal("/metrics", (string?)endpoint["path"]);
        Assert.Equal("15s", (string?)endpoint["interval"]);
        var serviceLabels = service["metadata"]!["labels"]!.AsObject();
        foreach (var (key, value) in monitor["spec"]!["selector"]!["matchLabels"]!.AsObject())
        {
            Assert.Equal((string?)value, (string?)serviceLabels[key]);
        }

        Assert.Equal(9090, (long)service["spec"]!["ports"]![0]!["port"]!);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(0, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    public void Pod_disruption_budget_exists_only_when_replicas_exceed_one(int replicas, bool expected)
    {
        var objects = Helm.Template("--set", $"replicas={replicas}");

        Assert.Equal(replicas, (long)objects.Single("Deployment")["spec"]!["replicas"]!);
        var budgets = objects.OfKind("PodDisruptionBudget").ToList();
        Assert.Equal(expected, budgets.Count == 1);
        if (expected)
        {
            Assert.Equal(1, (long)budgets[0]["spec"]!["minAvailable"]!);
            Assert.Equal(Helm.ReleaseNamespace, budgets[0].Namespace());
        }
    }

    [Fact]
    public void Service_account_can_be_brought_along()
    {
        var objects = Helm.Template("--set", "serviceAccount.create=false", "--set", "serviceAccount.name=existing");

        Assert.Empty(objects.OfKind("ServiceAccount"));
        Assert.Equal("existing", (string?)objects.Single("Deployment")["spec"]!["template"]!["spec"]!["serviceAccountName"]);
        Assert.All(objects.OfKind("ClusterRoleBinding").Concat(objects.OfKind("RoleBinding")),
            binding => Assert.Equal("existing", (string?)binding["subjects"]![0]!["name"]));

        var missing = Helm.TryTemplate("--set", "serviceAccount.create=false");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("serviceAccount.name is required", missing.Error, StringComparison.Ordinal);
    }
}
