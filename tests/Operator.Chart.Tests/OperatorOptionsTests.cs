using System.Reflection;
using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Hosting;

namespace RemoteWorkloadOperator.Chart.Tests;

/// <summary>
/// The Deployment's args and environment, as rendered, go through the operator's own
/// <see cref="OperatorOptionsParser"/>: the chart can only use flags and variables the operator accepts.
/// </summary>
public sealed class OperatorOptionsTests
{
    [Theory]
    [MemberData(nameof(RenderTests.ValueSets), MemberType = typeof(RenderTests))]
    public void Rendered_args_and_env_parse_without_errors(string valueSet)
    {
        var (options, errors) = Parse(RenderTests.Render(valueSet).Single("Deployment"));

        Assert.Empty(errors);
        Assert.NotNull(options);
    }

    [Fact]
    public void Defaults_give_the_operator_defaults_with_the_lease_in_the_release_namespace()
    {
        var (options, _) = Parse(Helm.Template().Single("Deployment"));

        Assert.NotNull(options);
        Assert.True(options.LeaderElection);
        Assert.Equal(Helm.ReleaseNamespace, options.LeaseNamespace);
        Assert.Equal("rw-remoteworkload-operator", options.LeaseName);
        Assert.Equal("rw-remoteworkload-operator-abc12", options.Identity);
        Assert.Empty(options.WatchNamespaces);
        Assert.Equal("json", options.LogFormat);
        Assert.True(OperatorOptionsParser.TryParseAddress(options.HealthAddress, out var host, out var port));
        Assert.Equal("0.0.0.0", host);
        Assert.Equal(8080, port);
        Assert.False(options.AllowInsecureEndpoints);
        Assert.False(options.AllowPrivateEndpoints);
        Assert.Equal(RetryPolicy.Default, options.Retry);
        Assert.Equal(4, options.Workers);
        Assert.Equal(TimeSpan.FromDays(7), options.StateSecretRetention);
    }

    [Fact]
    public void Custom_values_reach_the_parsed_options()
    {
        var (options, _) = Parse(Helm.Template("--values", Helm.ValuesFile("custom.yaml")).Single("Deployment"));

        Assert.NotNull(options);
        Assert.Equal(["team-a", "team-b"], options.WatchNamespaces);
        Assert.Equal("rwo-lease", options.LeaseName);
        Assert.Equal("console", options.LogFormat);
        Assert.True(OperatorOptionsParser.TryParseAddress(options.HealthAddress, out _, out var port));
        Assert.Equal(9090, port);
        Assert.True(options.AllowInsecureEndpoints);
        Assert.True(options.AllowPrivateEndpoints);
        Assert.Equal(8, options.Workers);
        Assert.Equal(TimeSpan.FromHours(72), options.StateSecretRetention);
        Assert.Equal(TimeSpan.FromSeconds(10), options.StartupSpread);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Retry.InitialInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Retry.MaxInterval);
        Assert.Equal(7, options.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromMinutes(3), options.Retry.MaxElapsed);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Retry.TickInterval);
        Assert.Equal(TimeSpan.FromHours(12), options.Retry.Ceiling);
    }

    [Fact]
    public void Leader_election_off_parses_as_off()
    {
        var (options, errors) = Parse(Helm.Template("--set", "leaderElection.enabled=false").Single("Deployment"));

        Assert.Empty(errors);
        Assert.False(options!.LeaderElection);
    }

    [Fact]
    public void Chart_sets_every_retry_variable_of_the_operator()
    {
        var variables = typeof(OperatorOptionsParser.Variables)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(field => (string)field.GetRawConstantValue()!)
            // Not retry variables: the chart passes these as flags (--watch-namespaces, --idp-requests-per-second).
            .Where(name => name.StartsWith("RW_", StringComparison.Ordinal)
                && name is not (OperatorOptionsParser.Variables.WatchNamespaces or OperatorOptionsParser.Variables.IdpRequestsPerSecond))
            .Order(StringComparer.Ordinal);
        var rendered = Helm.Template("--values", Helm.ValuesFile("custom.yaml")).Single("Deployment").Env().Keys
            .Where(name => name.StartsWith("RW_", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

        Assert.Equal(variables, rendered);
    }

    [Fact]
    public void Documented_retry_defaults_are_the_operator_defaults()
    {
        var values = File.ReadAllText(Path.Combine(Helm.ChartPath, "values.yaml"));
        var docs = File.ReadAllText(RepositoryPaths.Combine("docs", "helm.md"));
        var defaults = RetryPolicy.Default;
        (string Value, string Variable, string Default)[] expected =
        [
            ("initialInterval", OperatorOptionsParser.Variables.InitialInterval, KubeDuration.Format(defaults.InitialInterval)),
            ("maxInterval", OperatorOptionsParser.Variables.MaxInterval, KubeDuration.Format(defaults.MaxInterval)),
            ("maxAttempts", OperatorOptionsParser.Variables.MaxAttempts, defaults.MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("maxElapsed", OperatorOptionsParser.Variables.MaxElapsed, KubeDuration.Format(defaults.MaxElapsed)),
            ("tickInterval", OperatorOptionsParser.Variables.TickInterval, KubeDuration.Format(defaults.TickInterval)),
            ("ceiling", OperatorOptionsParser.Variables.Ceiling, KubeDuration.Format(defaults.Ceiling)),
            ("probeInterval", OperatorOptionsParser.Variables.ProbeInterval, KubeDuration.Format(defaults.ProbeInterval)),
        ];

        foreach (var (value, variable, @default) in expected)
        {
            Assert.Contains($"# -- {variable} [{@default}]", values, StringComparison.Ordinal);
            Assert.Matches($@"\| `retry\.{value}` \| [^|]*\(`{@default}`\) \| `{variable}` \|", docs);
        }
    }

    private static (OperatorOptions? Options, IReadOnlyList<string> Errors) Parse(JsonObject deployment)
    {
        var environment = deployment.Env().ToDictionary(
            pair => pair.Key,
            pair => (string?)(pair.Value switch
            {
                "fieldRef:metadata.namespace" => Helm.ReleaseNamespace,
                "fieldRef:metadata.name" => "rw-remoteworkload-operator-abc12",
                var literal => literal,
            }),
            StringComparer.Ordinal);
        return OperatorOptionsParser.Parse(deployment.Args(), environment);
    }
}
