using System.Text.Json.Nodes;
using k8s;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>
/// The OwnerReferencesPermissionEnforcement option (kubernetes plugin/pkg/admission/gc/gc_admission.go):
/// the operator's config/rbac identity can create the Secrets it owns; an identity without
/// <c>delete</c> on secrets cannot set ownerReferences; blockOwnerDeletion needs update on the owner's finalizers.
/// </summary>
public sealed class OwnerReferencesAdmissionTests
{
    private const string SecretsPath = "api/v1/namespaces/default/secrets";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<LocalControlPlane> StartAsync(bool enforce) => LocalControlPlane.StartAsync(new LocalControlPlaneOptions
    {
        ApplyAtStart = [RepositoryPaths.Crds, RepositoryPaths.Rbac],
        OwnerReferencesPermissionEnforcement = enforce,
    }, Ct);

    /// <summary>The operator's old rules (no delete on secrets), bound to a ServiceAccount of its own.</summary>
    private static async Task<RawClient> WithoutSecretDeleteAsync(LocalControlPlane cp)
    {
        await cp.ApplyYamlAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: { name: no-delete, namespace: default }
            rules:
              - apiGroups: [""]
                resources: ["secrets"]
                verbs: ["get", "list", "watch", "create", "update", "patch"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: { name: no-delete, namespace: default }
            roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: no-delete }
            subjects: [{ kind: ServiceAccount, name: no-delete, namespace: default }]
            """, cancellationToken: Ct);
        return RawClient.FromKubeconfig(cp.WriteServiceAccountKubeconfig("default", "no-delete"));
    }

    private static async Task<JsonObject> OwnedSecretAsync(LocalControlPlane cp, string name, bool blockOwnerDeletion = false)
    {
        using var admin = cp.CreateAdminClient();
        var owner = await admin.CreateAsync(Workloads.New("owner-" + name));
        var reference = new JsonObject { ["apiVersion"] = "workloads.dev/v1alpha1", ["kind"] = "RemoteWorkload", ["name"] = "owner-" + name, ["uid"] = owner["metadata"]!["uid"]!.GetValue<string>(), ["controller"] = true };
        if (blockOwnerDeletion)
        {
            reference["blockOwnerDeletion"] = true;
        }

        return KubeApiServerRows.Secret(name, owners: [reference]);
    }

    [Fact]
    public async Task Setting_an_owner_reference_without_delete_permission_is_403()
    {
        await using var cp = await StartAsync(enforce: true);
        using var limited = await WithoutSecretDeleteAsync(cp);

        var answer = await limited.PostAsync(SecretsPath, await OwnedSecretAsync(cp, "owned"));

        Assert.Equal(403, answer.Code);
        Assert.Equal("Forbidden", answer.Object["reason"]!.GetValue<string>());
        Assert.Equal("secrets \"owned\" is forbidden: cannot set an ownerRef on a resource you can't delete: , <nil>", answer.Message);
        Assert.Equal(201, (await limited.PostAsync(SecretsPath, KubeApiServerRows.Secret("unowned"))).Code);
    }

    [Fact]
    public async Task The_operator_service_account_of_config_rbac_can_create_and_update_the_secrets_it_owns()
    {
        await using var cp = await StartAsync(enforce: true);
        using var op = RawClient.FromKubeconfig(cp.WriteServiceAccountKubeconfig("remoteworkload-system", "remoteworkload-operator"));

        var created = await op.PostAsync(SecretsPath, await OwnedSecretAsync(cp, "token"));
        Assert.Equal(201, created.Code);
        var updated = created.Object;
        updated["metadata"]!["ownerReferences"] = (await OwnedSecretAsync(cp, "token-2"))["metadata"]!["ownerReferences"]!.DeepClone();
        Assert.Equal(200, (await op.PutAsync($"{SecretsPath}/token", updated)).Code);
    }

    [Fact]
    public async Task Block_owner_deletion_needs_update_on_the_owner_finalizers()
    {
        await using var cp = await StartAsync(enforce: true);
        using var op = RawClient.FromKubeconfig(cp.WriteServiceAccountKubeconfig("remoteworkload-system", "remoteworkload-operator"));

        var answer = await op.PostAsync(SecretsPath, await OwnedSecretAsync(cp, "blocking", blockOwnerDeletion: true));

        Assert.Equal(403, answer.Code);
        Assert.EndsWith("cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: , <nil>", answer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_option_owner_references_need_no_delete_permission()
    {
        await using var cp = await StartAsync(enforce: false);
        using var limited = await WithoutSecretDeleteAsync(cp);

        Assert.Equal(201, (await limited.PostAsync(SecretsPath, await OwnedSecretAsync(cp, "owned"))).Code);
    }
}
