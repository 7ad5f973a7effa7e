namespace RemoteWorkloadOperator.Chart.Tests;

/// <summary>docs/helm.md documents every value of values.yaml.</summary>
public sealed class DocsTests
{
    [Fact]
    public void Every_value_is_documented_in_docs_helm_md()
    {
        var docs = File.ReadAllText(RepositoryPaths.Combine("docs", "helm.md"));
        var values = YamlDocuments.ParseFile(Path.Combine(Helm.ChartPath, "values.yaml")).Single();

        var missing = ValuePaths.Leaves(values).Where(path => !docs.Contains($"`{path}`", StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "docs/helm.md does not document: " + string.Join(", ", missing));
    }
}
