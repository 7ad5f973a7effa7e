using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;
using RemoteWorkloadOperator.Testing.ControlPlane.Validation;
using RemoteWorkloadOperator.Testing.ControlPlane.Yaml;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>The stand-in CRD fixture, and the CEL / JSONPath helpers on their own.</summary>
public sealed class SchemaFixtureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject Body(string spec) => JsonNode.Parse($$"""{"apiVersion":"workloads.dev/v1alpha1","kind":"RemoteWorkload","metadata":{"name":"f"},"spec":{{spec}}}""")!.AsObject();

    [Fact]
    public async Task Fixture_crd_enforces_enum_pattern_minimum_cel_and_applies_defaults()
    {
        await using var cp = await LocalControlPlane.StartAsync(new LocalControlPlaneOptions { ApplyAtStart = [RepositoryPaths.Fixture("test-crd.yaml")] }, Ct);
        using var client = cp.CreateAdminClient();

        var created = await client.CreateAsync(Body("""{"url":"https://a.example.com","grant":"RefreshToken"}"""));
        Assert.Equal("Owner", created["spec"]!["mode"]!.GetValue<string>());

        var (code, status) = await Workloads.FailureOf(() => client.CreateAsync(Body("""{"url":"http://a","grant":"Password","maxAttempts":0,"tickInterval":"2h","ceiling":"1h"}""")));
        Assert.Equal(422, code);
        var causes = status["details"]!["causes"]!.AsArray().Select(c => $"{c!["reason"]}|{c["field"]}|{c["message"]}").ToList();
        Assert.Contains("FieldValueInvalid|spec.url|Invalid value: \"http://a\": spec.url in body should match '^https://'", causes);
        Assert.Contains("FieldValueNotSupported|spec.grant|Unsupported value: \"Password\": supported values: \"RefreshToken\", \"ClientCredentials\"", causes);
        Assert.Contains("FieldValueInvalid|spec.maxAttempts|Invalid value: 0: spec.maxAttempts in body should be greater than or equal to 1", causes);
        Assert.Contains("FieldValueInvalid|spec|Invalid value: \"object\": tickInterval must not exceed ceiling", causes);

        (code, status) = await Workloads.FailureOf(() => client.CreateAsync(Body("""{"url":"https://a.example.com"}""")));
        Assert.Equal(422, code);
        Assert.Equal("RemoteWorkload.workloads.dev \"f\" is invalid: spec.grant: Required value", status["message"]!.GetValue<string>());

        (code, _) = await Workloads.FailureOf(() => client.CreateAsync(Body("""{"url":"https://a.example.com","grant":"RefreshToken","maxAttempts":"five"}""")));
        Assert.Equal(422, code);
    }

    [Fact]
    public async Task Fixture_crd_printer_columns_with_kubectl()
    {
        await using var cp = await LocalControlPlane.StartAsync(new LocalControlPlaneOptions { ApplyAtStart = [RepositoryPaths.Fixture("test-crd.yaml")] }, Ct);
        await cp.ApplyYamlAsync("""
            apiVersion: workloads.dev/v1alpha1
            kind: RemoteWorkload
            metadata: { name: fx }
            spec: { url: "https://a.example.com", grant: ClientCredentials }
            """, cancellationToken: Ct);
        using var client = cp.CreateAdminClient();
        await client.PatchStatusAsync("fx", """{"status":{"phase":"Running","conditions":[{"type":"Other","status":"False"},{"type":"Ready","status":"True"}]}}""");
        var scratch = Directory.CreateTempSubdirectory("cp-fixture-").FullName;
        try
        {
            var result = (await new Kubectl(Kubectl.Fixed133, cp.KubeconfigPath, scratch).RunAsync("get", "rw")).EnsureSuccess();
            var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
            Assert.Equal("NAME PHASE READY AGE", lines[0]);
            Assert.Matches(@"^fx Running True \d+s$", lines[1]);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public void Every_cel_rule_of_the_generated_crd_is_supported()
    {
        var crd = YamlJson.ReadDocuments(File.ReadAllText(Path.Combine(RepositoryPaths.Crds, "remoteworkloads.workloads.dev.yaml"))).Single();
        var rules = new List<string>();
        void Collect(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["x-kubernetes-validations"] is JsonArray validations)
                    {
                        rules.AddRange(validations.Select(v => v!["rule"]!.GetValue<string>()));
                    }

                    foreach (var (_, child) in o)
                    {
                        Collect(child);
                    }

                    break;
                case JsonArray a:
                    foreach (var item in a)
                    {
                        Collect(item);
                    }

                    break;
            }
        }

        Collect(crd);
        Assert.NotEmpty(rules);
        var sample = JsonNode.Parse("""{"grant":"RefreshToken","issuer":"https://i","refreshTokenSecretRef":{"name":"a","key":"b"},"initialInterval":"10s","maxInterval":"2m","tickInterval":"10m","ceiling":"24h","beforeExpiry":"60s","maxElapsed":"5m","spec":{"tokenSecret":{"name":"t"}},"metadata":{"name":"w"}}""")!.AsObject();
        foreach (var rule in rules)
        {
            var result = CelExpression.Parse(rule).Evaluate(new Dictionary<string, object?> { ["self"] = sample });
            Assert.IsType<bool>(result);
        }
    }

    [Theory]
    [InlineData("has(self.a) != has(self.b)", true)]
    [InlineData("self.grant != 'RefreshToken' || has(self.ref)", false)]
    [InlineData("!has(self.t) || duration(self.t) >= duration('10s')", false)]
    [InlineData("duration('1h30m') == duration('90m')", true)]
    [InlineData("duration('1.5h') > duration('89m59s')", true)]
    [InlineData("self.n + 1 == 3 && self.n * 2 == 4", true)]
    [InlineData("self.list.all(x, x > 0) && self.list.exists(x, x == 2) && size(self.list) == 3", true)]
    [InlineData("'b' in self.list2 ? true : false", true)]
    [InlineData("self.a.startsWith('ht') && self.a.matches('^h.*p$')", true)]
    [InlineData("has(self.missing) && self.missing.x == 1", false)]
    [InlineData("self.missing == 1 || true", true)]
    [InlineData("isURL(self.a) == false", true)]
    [InlineData("timestamp('2026-01-01T00:00:00Z') + duration('24h') == timestamp('2026-01-02T00:00:00Z')", true)]
    public void Cel_subset_evaluates(string rule, bool expected)
    {
        var self = JsonNode.Parse("""{"a":"http","grant":"RefreshToken","t":"5s","n":2,"list":[1,2,3],"list2":["a","b"]}""")!.AsObject();
        Assert.Equal(expected, CelExpression.Parse(rule).Evaluate(new Dictionary<string, object?> { ["self"] = self }));
    }

    [Fact]
    public void Unsupported_cel_is_reported_not_guessed()
    {
        var e = Assert.Throws<CelException>(() => CelExpression.Parse("quantity(self.q).isGreaterThan(quantity('1'))").Evaluate(new Dictionary<string, object?> { ["self"] = new JsonObject { ["q"] = "2" } }));
        Assert.True(e.Unsupported);
    }

    [Theory]
    [InlineData(".status.conditions[?(@.type==\"Ready\")].status", "True")]
    [InlineData("{.status.conditions[0].type}", "Other")]
    [InlineData(".metadata.labels['app.kubernetes.io/name']", "x")]
    [InlineData(".spec.missing", null)]
    public void JsonPath_subset(string path, string? expected)
    {
        var obj = JsonNode.Parse("""{"metadata":{"labels":{"app.kubernetes.io/name":"x"}},"spec":{},"status":{"conditions":[{"type":"Other","status":"False"},{"type":"Ready","status":"True"}]}}""");
        var results = JsonPathExpression.Evaluate(obj, path);
        Assert.Equal(expected, results.Count == 0 ? null : JsonPathExpression.Render(results[0]));
    }
}
