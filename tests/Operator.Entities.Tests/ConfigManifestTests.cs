namespace RemoteWorkloadOperator.Entities.Tests;

public sealed class ConfigManifestTests
{
    public static TheoryData<string> ConfigFiles => new(
        Directory.GetFiles(RepositoryPaths.Combine("config"), "*.yaml", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(RepositoryPaths.Root, path)));

    [Theory]
    [MemberData(nameof(ConfigFiles))]
    public void Every_yaml_document_is_a_kubernetes_object(string file)
    {
        var documents = YamlDocuments.ParseFile(RepositoryPaths.Combine(file));

        Assert.NotEmpty(documents);
        foreach (var document in documents)
        {
            Assert.False(string.IsNullOrEmpty((string?)document["apiVersion"]), $"{file}: apiVersion missing");
            Assert.False(string.IsNullOrEmpty((string?)document["kind"]), $"{file}: kind missing");
            Assert.False(string.IsNullOrEmpty((string?)document["metadata"]?["name"]), $"{file}: metadata.name missing");
        }
    }

    [Fact]
    public void Cluster_role_grants_exactly_the_least_privilege_rules()
    {
        var role = YamlDocuments.ParseFile(RepositoryPaths.Combine("config", "rbac", "02-cluster-role.yaml")).Single();
        var rules = role["rules"]!.AsArray()
            .SelectMany(rule => rule!["apiGroups"]!.AsArray().SelectMany(group => rule["resources"]!.AsArray().SelectMany(resource =>
                rule["verbs"]!.AsArray().Select(verb => $"{(string?)group}/{(string?)resource}:{(string?)verb}"))))
            .Order(StringComparer.Ordinal)
            .ToList();

        string[] expected =
        [
            "/events:create", "/events:patch",
            "/serviceaccounts/token:create", "/serviceaccounts:get",
            "/secrets:create", "/secrets:delete", "/secrets:get", "/secrets:list", "/secrets:patch", "/secrets:update", "/secrets:watch",
            "events.k8s.io/events:create", "events.k8s.io/events:patch",
            "workloads.dev/remoteworkloads/status:get", "workloads.dev/remoteworkloads/status:patch", "workloads.dev/remoteworkloads/status:update",
            "workloads.dev/remoteworkloads:get", "workloads.dev/remoteworkloads:list", "workloads.dev/remoteworkloads:watch",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), rules);
    }
}
