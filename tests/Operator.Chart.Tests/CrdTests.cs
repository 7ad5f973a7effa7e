using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Chart.Tests;

public sealed class CrdTests
{
    private const string KeepAnnotation = "helm.sh/resource-policy";

    private static readonly string ConfigCrd = RepositoryPaths.Combine("config", "crd", "remoteworkloads.workloads.dev.yaml");
    private static readonly string ChartCrd = RepositoryPaths.Combine("charts", "remoteworkload-operator", "files", "crd.yaml");

    [Fact]
    public void Chart_copy_of_the_crd_is_byte_for_byte_config_crd()
    {
        Assert.True(File.Exists(ChartCrd), "charts/remoteworkload-operator/files/crd.yaml is missing: run `make manifests`");
        Assert.True(File.ReadAllBytes(ConfigCrd).AsSpan().SequenceEqual(File.ReadAllBytes(ChartCrd)),
            "charts/remoteworkload-operator/files/crd.yaml differs from config/crd: run `make manifests` and commit both");
    }

    [Fact]
    public void Rendered_crd_equals_config_crd_apart_from_the_keep_annotation()
    {
        var rendered = Helm.Template().Single("CustomResourceDefinition");
        var expected = YamlDocuments.ParseFile(ConfigCrd).Single();

        var annotations = rendered["metadata"]!["annotations"]!.AsObject();
        Assert.Equal("keep", (string?)annotations[KeepAnnotation]);
        annotations.Remove(KeepAnnotation);
        if (annotations.Count == 0)
        {
            rendered["metadata"]!.AsObject().Remove("annotations");
        }

        Assert.True(JsonNode.DeepEquals(expected, rendered),
            "the rendered CRD differs from config/crd/remoteworkloads.workloads.dev.yaml");
    }

    [Fact]
    public void Crd_is_rendered_by_default_and_not_when_crds_install_is_false()
    {
        Assert.Single(Helm.Template().OfKind("CustomResourceDefinition"));
        Assert.Empty(Helm.Template("--set", "crds.install=false").OfKind("CustomResourceDefinition"));
    }

    [Fact]
    public void Rendered_crd_keeps_the_api_contract_names()
    {
        var crd = Helm.Template().Single("CustomResourceDefinition");

        Assert.Equal("remoteworkloads.workloads.dev", crd.Name());
        Assert.Null(crd.Namespace());
        Assert.Equal("workloads.dev", (string?)crd["spec"]!["group"]);
        Assert.Equal("Namespaced", (string?)crd["spec"]!["scope"]);
        Assert.Equal("rw", (string?)crd["spec"]!["names"]!["shortNames"]![0]);
    }
}
