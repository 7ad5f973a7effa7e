using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Chart.Tests;

public sealed class DeploymentTests
{
    private static readonly string[] RetryVariables =
    [
        "RW_RETRY_INITIAL_INTERVAL", "RW_RETRY_MAX_INTERVAL", "RW_RETRY_MAX_ATTEMPTS", "RW_RETRY_MAX_ELAPSED",
        "RW_AUTH_RETRYING_TICK_INTERVAL", "RW_AUTH_RETRYING_CEILING",
    ];

    [Theory]
    [MemberData(nameof(RenderTests.ValueSets), MemberType = typeof(RenderTests))]
    public void Pod_and_container_run_restricted(string valueSet)
    {
        var deployment = RenderTests.Render(valueSet).Single("Deployment");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = deployment.Container()["securityContext"]!;

        Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
        Assert.Equal(65532, (long)pod["securityContext"]!["runAsUser"]!);
        Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
        Assert.True((bool)container["runAsNonRoot"]!);
        Assert.Equal(65532, (long)container["runAsUser"]!);
        Assert.True((bool)container["readOnlyRootFilesystem"]!);
        Assert.False((bool)container["allowPrivilegeEscalation"]!);
        Assert.Equal(["ALL"], container["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
        Assert.Null(container["capabilities"]!["add"]);
        Assert.Equal("RuntimeDefault", (string?)container["seccompProfile"]!["type"]);
        Assert.Null(container["privileged"]);
    }

    [Theory]
    [MemberData(nameof(RenderTests.ValueSets), MemberType = typeof(RenderTests))]
    public void Only_tmp_is_writable_through_an_empty_dir(string valueSet)
    {
        var deployment = RenderTests.Render(valueSet).Single("Deployment");
        var mount = deployment.Container()["volumeMounts"]!.AsArray().Single()!;
        var volume = deployment["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().Single()!;

        Assert.Equal("/tmp", (string?)mount["mountPath"]);
        Assert.Equal((string?)mount["name"], (string?)volume["name"]);
        Assert.NotNull(volume["emptyDir"]);
    }

    [Theory]
    [InlineData("defaults", 8080)]
    [InlineData("custom.yaml", 9090)]
    public void Probes_hit_healthz_and_readyz_on_the_metrics_port(string valueSet, int port)
    {
        var deployment = RenderTests.Render(valueSet).Single("Deployment");
        var container = deployment.Container();

        Assert.Equal("/healthz", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/readyz", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("metrics", (string?)container["livenessProbe"]!["httpGet"]!["port"]);
        Assert.Equal("metrics", (string?)container["readinessProbe"]!["httpGet"]!["port"]);
        var containerPort = container["ports"]!.AsArray().Single(p => (string?)p!["name"] == "metrics")!;
        Assert.Equal(port, (long)containerPort["containerPort"]!);
        Assert.Contains($"--health-addr=:{port}", deployment.Args());
    }

    [Fact]
    public void Default_args_are_leader_election_in_the_release_namespace_json_logs_and_no_development_switches()
    {
        var deployment = Helm.Template().Single("Deployment");

        Assert.Equal(
            [
                "--leader-elect=true",
                $"--leader-election-namespace={Helm.ReleaseNamespace}",
                "--leader-election-id=rw-remoteworkload-operator",
                "--health-addr=:8080",
                "--log-format=json",
            ],
            deployment.Args());
        Assert.Equal("remoteworkload-operator:0.1.0", (string?)deployment.Container()["image"]);
        Assert.Equal("IfNotPresent", (string?)deployment.Container()["imagePullPolicy"]);
        Assert.Equal(1, (long)deployment["spec"]!["replicas"]!);
    }

    [Fact]
    public void Custom_values_reach_the_operator_flags()
    {
        var deployment = Helm.Template("--values", Helm.ValuesFile("custom.yaml")).Single("Deployment");

        Assert.Equal(
            [
                "--leader-elect=true",
                $"--leader-election-namespace={Helm.ReleaseNamespace}",
                "--leader-election-id=rwo-lease",
                "--watch-namespaces=team-a,team-b",
                "--health-addr=:9090",
                "--log-format=console",
                "--allow-insecure-endpoints=true",
                "--allow-private-endpoints=true",
                "--workers=8",
                "--idp-proxy-from-env=true",
                "--idp-requests-per-second=100",
                "--state-secret-retention=72h",
                "--startup-spread=10s",
            ],
            deployment.Args());
        Assert.Equal("registry.example.com/platform/remoteworkload-operator:1.2.3", (string?)deployment.Container()["image"]);
        Assert.Equal("Always", (string?)deployment.Container()["imagePullPolicy"]);
        Assert.Equal(3, (long)deployment["spec"]!["replicas"]!);
        Assert.Equal("regcred", (string?)deployment["spec"]!["template"]!["spec"]!["imagePullSecrets"]![0]!["name"]);
        Assert.Equal("platform", (string?)deployment["spec"]!["template"]!["metadata"]!["annotations"]!["example.com/team"]);
        Assert.Equal("control", (string?)deployment["spec"]!["template"]!["metadata"]!["labels"]!["example.com/tier"]);
    }

    [Fact]
    public void By_default_only_the_downward_api_variables_are_set()
    {
        var env = Helm.Template().Single("Deployment").Env();

        Assert.Equal("fieldRef:metadata.namespace", env["POD_NAMESPACE"]);
        Assert.Equal("fieldRef:metadata.name", env["POD_NAME"]);
        Assert.Equal(2, env.Count);
        Assert.DoesNotContain(env.Keys, name => name.StartsWith("RW_", StringComparison.Ordinal));
        Assert.All(RetryVariables, variable => Assert.False(env.ContainsKey(variable), variable));
    }

    [Fact]
    public void Every_retry_default_becomes_its_environment_variable_when_set()
    {
        var env = Helm.Template("--values", Helm.ValuesFile("custom.yaml")).Single("Deployment").Env();

        Assert.All(RetryVariables, variable => Assert.True(env.ContainsKey(variable), variable));
        Assert.Equal("5s", env["RW_RETRY_INITIAL_INTERVAL"]);
        Assert.Equal("1m", env["RW_RETRY_MAX_INTERVAL"]);
        Assert.Equal("7", env["RW_RETRY_MAX_ATTEMPTS"]);
        Assert.Equal("3m", env["RW_RETRY_MAX_ELAPSED"]);
        Assert.Equal("5m", env["RW_AUTH_RETRYING_TICK_INTERVAL"]);
        Assert.Equal("12h", env["RW_AUTH_RETRYING_CEILING"]);
        Assert.Equal("2h", env["RW_AUTH_RETRYING_PROBE_INTERVAL"]);
        Assert.Equal("fieldRef:metadata.namespace", env["POD_NAMESPACE"]);
        Assert.Equal("fieldRef:metadata.name", env["POD_NAME"]);
        Assert.Equal("0", env["DOTNET_gcServer"]);
    }

    [Theory]
    [InlineData("retry.initialInterval", "30s", "RW_RETRY_INITIAL_INTERVAL")]
    [InlineData("retry.maxInterval", "3m", "RW_RETRY_MAX_INTERVAL")]
    [InlineData("retry.maxAttempts", "9", "RW_RETRY_MAX_ATTEMPTS")]
    [InlineData("retry.maxElapsed", "10m", "RW_RETRY_MAX_ELAPSED")]
    [InlineData("retry.tickInterval", "1h30m", "RW_AUTH_RETRYING_TICK_INTERVAL")]
    [InlineData("retry.ceiling", "48h", "RW_AUTH_RETRYING_CEILING")]
    [InlineData("retry.probeInterval", "2h", "RW_AUTH_RETRYING_PROBE_INTERVAL")]
    public void One_retry_value_sets_exactly_its_variable(string value, string setting, string variable)
    {
        var env = Helm.Template("--set", $"{value}={setting}").Single("Deployment").Env();

        Assert.Equal(setting, env[variable]);
        Assert.Equal([variable], env.Keys.Where(name => name.StartsWith("RW_", StringComparison.Ordinal)));
    }

    [Fact]
    public void Rendered_values_are_plain_strings_for_environment_variables()
    {
        var container = Helm.Template("--values", Helm.ValuesFile("custom.yaml")).Single("Deployment").Container();

        foreach (var variable in container["env"]!.AsArray().Where(e => e!["value"] is not null))
        {
            Assert.Equal(System.Text.Json.JsonValueKind.String, variable!["value"]!.GetValueKind());
        }
    }

    [Fact]
    public void Resources_default_to_requests_and_a_memory_limit()
    {
        var resources = Helm.Template().Single("Deployment").Container()["resources"]!;

        Assert.NotNull(resources["requests"]!["cpu"]);
        Assert.NotNull(resources["requests"]!["memory"]);
        Assert.NotNull(resources["limits"]!["memory"]);
        Assert.IsType<JsonObject>(resources);
    }
}
