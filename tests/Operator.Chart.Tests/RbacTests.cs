using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Chart.Tests;

/// <summary>The chart grants exactly what config/rbac grants: same rules, bound to its ServiceAccount.</summary>
public sealed class RbacTests
{
    private static readonly JsonNode OperatorRules =
        YamlDocuments.ParseFile(RepositoryPaths.Combine("config", "rbac", "02-cluster-role.yaml")).Single()["rules"]!;

    private static readonly JsonNode LeaderElectionRules =
        YamlDocuments.ParseFile(RepositoryPaths.Combine("config", "rbac", "04-leader-election-role.yaml")).Single()["rules"]!;

    [Fact]
    public void Default_is_a_cluster_role_with_exactly_the_rules_of_config_rbac()
    {
        var objects = Helm.Template();
        var role = objects.Single("ClusterRole");

        Assert.Equal(Rendered.Grants(OperatorRules), Rendered.Grants(role["rules"]));
        Assert.True(JsonNode.DeepEquals(OperatorRules, role["rules"]), "ClusterRole rules differ from config/rbac/02-cluster-role.yaml");
        // delete only on Secrets (needed to set ownerReferences under OwnerReferencesPermissionEnforcement), no wildcards.
        Assert.DoesNotContain(Rendered.Grants(role["rules"]), grant => (grant.EndsWith(":delete", StringComparison.Ordinal) && grant != "/secrets:delete") || grant.Contains('*', StringComparison.Ordinal));
    }

    [Fact]
    public void Default_binds_the_cluster_role_to_the_chart_service_account()
    {
        var objects = Helm.Template();
        var binding = objects.Single("ClusterRoleBinding");
        var role = objects.Single("ClusterRole");
        var account = objects.Single("ServiceAccount");

        AssertBinding(binding, "ClusterRole", role.Name(), account);
    }

    [Fact]
    public void Leader_election_role_grants_exactly_the_lease_rules_in_the_release_namespace()
    {
        var objects = Helm.Template();
        var role = objects.OfKind("Role").Single(r => r.Name().EndsWith("-leader-election", StringComparison.Ordinal));
        var binding = objects.OfKind("RoleBinding").Single(r => r.Name().EndsWith("-leader-election", StringComparison.Ordinal));

        Assert.Equal(Helm.ReleaseNamespace, role.Namespace());
        Assert.True(JsonNode.DeepEquals(LeaderElectionRules, role["rules"]), "leader-election rules differ from config/rbac/04-leader-election-role.yaml");
        Assert.Equal(Helm.ReleaseNamespace, binding.Namespace());
        AssertBinding(binding, "Role", role.Name(), objects.Single("ServiceAccount"));
    }

    [Fact]
    public void Leader_election_rbac_is_left_out_when_leader_election_is_off()
    {
        var objects = Helm.Template("--set", "leaderElection.enabled=false");

        Assert.Empty(objects.OfKind("Role"));
        Assert.Empty(objects.OfKind("RoleBinding"));
        Assert.Contains("--leader-elect=false", objects.Single("Deployment").Args());
    }

    [Fact]
    public void Watch_namespaces_get_one_role_each_with_the_same_rules_and_nothing_cluster_wide()
    {
        var objects = Helm.Template("--values", Helm.ValuesFile("custom.yaml"));
        var account = objects.Single("ServiceAccount");

        Assert.Empty(objects.OfKind("ClusterRole"));
        Assert.Empty(objects.OfKind("ClusterRoleBinding"));
        var roles = objects.OfKind("Role").Where(r => !r.Name().EndsWith("-leader-election", StringComparison.Ordinal)).ToList();
        var bindings = objects.OfKind("RoleBinding").Where(r => !r.Name().EndsWith("-leader-election", StringComparison.Ordinal)).ToList();
        Assert.Equal(["team-a", "team-b"], roles.Select(r => r.Namespace()!).Order(StringComparer.Ordinal));
        Assert.Equal(["team-a", "team-b"], bindings.Select(r => r.Namespace()!).Order(StringComparer.Ordinal));
        foreach (var role in roles)
        {
            Assert.True(JsonNode.DeepEquals(OperatorRules, role["rules"]), $"Role in {role.Namespace()}: rules differ from config/rbac/02-cluster-role.yaml");
            var binding = bindings.Single(b => b.Namespace() == role.Namespace());
            AssertBinding(binding, "Role", role.Name(), account);
        }
    }

    [Fact]
    public void Every_granted_permission_appears_in_config_rbac()
    {
        var allowed = Rendered.Grants(OperatorRules).Concat(Rendered.Grants(LeaderElectionRules)).ToHashSet(StringComparer.Ordinal);

        foreach (var values in new[] { Array.Empty<string>(), ["--values", Helm.ValuesFile("custom.yaml")] })
        {
            foreach (var role in Helm.Template(values).Where(o => (string?)o["kind"] is "Role" or "ClusterRole"))
            {
                Assert.All(Rendered.Grants(role["rules"]), grant => Assert.Contains(grant, allowed));
            }
        }
    }

    private static void AssertBinding(JsonObject binding, string roleKind, string roleName, JsonObject account)
    {
        Assert.Equal("rbac.authorization.k8s.io", (string?)binding["roleRef"]!["apiGroup"]);
        Assert.Equal(roleKind, (string?)binding["roleRef"]!["kind"]);
        Assert.Equal(roleName, (string?)binding["roleRef"]!["name"]);
        var subject = binding["subjects"]!.AsArray().Single()!;
        Assert.Equal("ServiceAccount", (string?)subject["kind"]);
        Assert.Equal(account.Name(), (string?)subject["name"]);
        Assert.Equal(Helm.ReleaseNamespace, (string?)subject["namespace"]);
    }
}
