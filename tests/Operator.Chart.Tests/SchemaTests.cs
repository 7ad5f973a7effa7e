using System.Text.Json.Nodes;
using NJsonSchema;

namespace RemoteWorkloadOperator.Chart.Tests;

/// <summary>values.schema.json: helm refuses bad values with a message naming the value.</summary>
public sealed class SchemaTests
{
    private static readonly string SchemaPath = Path.Combine(Helm.ChartPath, "values.schema.json");

    [Fact]
    public void Invalid_values_file_is_rejected_by_lint_and_template_naming_every_bad_value()
    {
        var file = Helm.ValuesFile("invalid.yaml");
        var template = Helm.TryTemplate("--values", file);
        var lint = Helm.Run("lint", Helm.ChartPath, "--values", file);

        foreach (var result in new[] { template, lint })
        {
            Assert.NotEqual(0, result.ExitCode);
            var message = result.Output + result.Error;
            Assert.Contains("values don't meet the specifications of the schema", message, StringComparison.Ordinal);
            Assert.Contains("replicas", message, StringComparison.Ordinal);
            Assert.Contains("logFormat", message, StringComparison.Ordinal);
            Assert.Contains("retry.maxElapsed", message, StringComparison.Ordinal);
            Assert.Contains("retry.maxAttempts", message, StringComparison.Ordinal);
            Assert.Contains("watchNamespaces", message, StringComparison.Ordinal);
            Assert.Contains("metrics.port", message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("replicas=-1", "replicas")]
    [InlineData("logFormat=xml", "logFormat")]
    [InlineData("retry.initialInterval=10", "retry.initialInterval")]
    [InlineData("retry.maxInterval=2 minutes", "retry.maxInterval")]
    [InlineData("retry.maxElapsed=5min", "retry.maxElapsed")]
    [InlineData("retry.tickInterval=-10m", "retry.tickInterval")]
    [InlineData("retry.ceiling=1d", "retry.ceiling")]
    [InlineData("retry.maxAttempts=101", "retry.maxAttempts")]
    [InlineData("workers=0", "workers")]
    [InlineData("image.pullPolicy=Sometimes", "image.pullPolicy")]
    [InlineData("crds.install=yes", "crds.install")]
    [InlineData("replica=2", "replica")]
    public void One_bad_value_is_rejected_with_its_name(string assignment, string name)
    {
        var result = Helm.TryTemplate(assignment.StartsWith("retry.", StringComparison.Ordinal) && !assignment.StartsWith("retry.maxAttempts", StringComparison.Ordinal)
            ? ["--set-string", assignment]
            : ["--set", assignment]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("values don't meet the specifications of the schema", result.Error, StringComparison.Ordinal);
        Assert.Contains(name, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90s")]
    [InlineData("10m")]
    [InlineData("1h30m")]
    [InlineData("1.5h")]
    [InlineData("500ms")]
    public void Go_durations_are_accepted(string duration)
    {
        var env = Helm.Template("--set-string", $"retry.ceiling={duration}").Single("Deployment").Env();

        Assert.Equal(duration, env["RW_AUTH_RETRYING_CEILING"]);
    }

    [Theory]
    [InlineData("values.yaml", true)]
    [InlineData("custom.yaml", true)]
    [InlineData("invalid.yaml", false)]
    public async Task Schema_is_a_valid_json_schema_that_agrees_with_helm(string file, bool valid)
    {
        var schema = await JsonSchema.FromFileAsync(SchemaPath, TestContext.Current.CancellationToken);
        var path = file == "values.yaml" ? Path.Combine(Helm.ChartPath, file) : Helm.ValuesFile(file);
        var values = YamlDocuments.ParseFile(path).SingleOrDefault() ?? new JsonObject();

        var errors = schema.Validate(values.ToJsonString());

        Assert.True(valid == (errors.Count == 0), $"{file}: {string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}"))}");
    }

    [Fact]
    public void Every_default_value_is_declared_in_the_schema_with_a_type()
    {
        var schema = JsonNode.Parse(File.ReadAllText(SchemaPath))!;
        var values = YamlDocuments.ParseFile(Path.Combine(Helm.ChartPath, "values.yaml")).Single();

        foreach (var path in ValuePaths.Leaves(values))
        {
            var node = schema;
            foreach (var part in path.Split('.'))
            {
                node = node["properties"]?[part];
                Assert.True(node is not null, $"{path} is in values.yaml but not in values.schema.json");
            }

            Assert.True(node!["type"] is not null, $"{path} has no type in values.schema.json");
        }
    }
}
