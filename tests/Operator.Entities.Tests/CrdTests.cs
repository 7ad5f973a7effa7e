using k8s;
using RemoteWorkloadOperator.Entities.Crd;
using RemoteWorkloadOperator.Entities.Validation;

namespace RemoteWorkloadOperator.Entities.Tests;

public sealed class CrdTests
{
    [Fact]
    public void Committed_crd_is_what_generation_produces()
    {
        var committed = File.ReadAllText(CrdSchema.CommittedPath);

        Assert.True(committed == CrdGenerator.GenerateYaml(),
            "config/crd is stale: run `make manifests` and commit the result");
    }

    [Fact]
    public void Crd_declares_names_scope_status_and_printer_columns_of_the_api_contract()
    {
        var crd = CrdGenerator.Build();
        var version = Assert.Single(crd.Spec.Versions);

        Assert.Equal("remoteworkloads.workloads.dev", crd.Metadata.Name);
        Assert.Equal("Namespaced", crd.Spec.Scope);
        Assert.Equal(["rw"], crd.Spec.Names.ShortNames);
        Assert.NotNull(version.Subresources.Status);
        Assert.Equal(
            ["Phase", "Ready", "Expires", "Retrying-Since", "Deadline", "Age", "URL", "Reason"],
            version.AdditionalPrinterColumns.Select(c => c.Name));
        Assert.Equal(
            ["URL", "Reason"],
            version.AdditionalPrinterColumns.Where(c => c.Priority == 1).Select(c => c.Name));
    }

    [Fact]
    public void Every_schema_property_has_a_description_except_metadata()
    {
        var missing = new List<string>();
        Walk(CrdGenerator.Build().Spec.Versions[0].Schema.OpenAPIV3Schema, "", missing);

        Assert.Empty(missing);

        static void Walk(k8s.Models.V1JSONSchemaProps schema, string path, List<string> missing)
        {
            if (string.IsNullOrEmpty(schema.Description) && path != ".metadata")
            {
                missing.Add(path);
            }

            foreach (var (name, child) in schema.Properties ?? new Dictionary<string, k8s.Models.V1JSONSchemaProps>())
            {
                Walk(child, path + "." + name, missing);
            }

            if (schema.Items is k8s.Models.V1JSONSchemaProps { Type: "object" } items)
            {
                Walk(items, path + "[]", missing);
            }
        }
    }

    public static TheoryData<string> Samples => new(
        Directory.GetFiles(RepositoryPaths.Combine("config", "samples"), "*.yaml").Select(Path.GetFileName).OfType<string>());

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_sample_is_valid_against_the_schema_and_the_validator(string file)
    {
        var workloads = YamlDocuments.ParseFile(RepositoryPaths.Combine("config", "samples", file))
            .Where(d => (string?)d["kind"] == "RemoteWorkload")
            .ToList();

        foreach (var manifest in workloads)
        {
            Assert.Empty(CrdSchema.Validate(manifest));
            var workload = KubernetesJson.Deserialize<RemoteWorkload>(manifest.ToJsonString());
            Assert.Empty(RemoteWorkloadValidator.Validate(workload));
        }
    }

    [Fact]
    public void Samples_include_a_refresh_token_and_a_client_credentials_workload()
    {
        var grants = Samples.SelectMany(file => YamlDocuments.ParseFile(RepositoryPaths.Combine("config", "samples", file.Data)))
            .Where(d => (string?)d["kind"] == "RemoteWorkload")
            .Select(d => (string?)d["spec"]!["oauth"]!["grant"])
            .ToList();

        Assert.Contains(GrantTypes.RefreshToken, grants);
        Assert.Contains(GrantTypes.ClientCredentials, grants);
    }
}
