using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Storage;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Security;

/// <summary>
/// RBAC as the real authorizer evaluates it: ClusterRoleBindings grant their ClusterRole everywhere,
/// RoleBindings grant a Role or ClusterRole in their namespace; rules match apiGroups, resources
/// (including <c>resource/subresource</c> and <c>*</c>), verbs and resourceNames. Members of
/// <c>system:masters</c> may do everything. Aggregated ClusterRoles are not expanded.
/// </summary>
public sealed class RbacAuthorizer(ObjectStore store)
{
    private const string RbacGroup = "rbac.authorization.k8s.io";

    public bool Allows(Identity identity, string verb, string group, string resource, string? subresource, string? ns, string? name)
    {
        if (identity.IsMaster)
        {
            return true;
        }

        var fullResource = subresource is null ? resource : $"{resource}/{subresource}";
        foreach (var binding in store.List($"{RbacGroup}/clusterrolebindings", null).Items)
        {
            if (BindsTo(binding, identity) && RoleAllows(ClusterRole(binding), verb, group, fullResource, name))
            {
                return true;
            }
        }

        if (ns is not null)
        {
            foreach (var binding in store.List($"{RbacGroup}/rolebindings", ns).Items)
            {
                if (!BindsTo(binding, identity))
                {
                    continue;
                }

                var roleRef = binding["roleRef"];
                var roleName = roleRef?["name"]?.GetValue<string>() ?? "";
                var role = roleRef?["kind"]?.GetValue<string>() == "ClusterRole"
                    ? store.Get($"{RbacGroup}/clusterroles", "", roleName)
                    : store.Get($"{RbacGroup}/roles", ns, roleName);
                if (RoleAllows(role, verb, group, fullResource, name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Non-resource URLs (discovery, OpenAPI, version, health) are open to every authenticated user, as system:discovery grants.</summary>
    public static bool AllowsNonResource(Identity identity, string path) => identity.Groups.Contains("system:authenticated");

    private JsonObject? ClusterRole(JsonObject binding) =>
        store.Get($"{RbacGroup}/clusterroles", "", binding["roleRef"]?["name"]?.GetValue<string>() ?? "");

    private static bool BindsTo(JsonObject binding, Identity identity)
    {
        foreach (var subject in binding["subjects"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var kind = subject["kind"]?.GetValue<string>();
            var name = subject["name"]?.GetValue<string>();
            var matched = kind switch
            {
                "User" => identity.UserName == name,
                "Group" => identity.Groups.Contains(name ?? ""),
                "ServiceAccount" => identity.UserName == $"system:serviceaccount:{subject["namespace"]?.GetValue<string>() ?? binding["metadata"]?["namespace"]?.GetValue<string>()}:{name}",
                _ => false,
            };
            if (matched)
            {
                return true;
            }
        }

        return false;
    }

    private static bool RoleAllows(JsonObject? role, string verb, string group, string resource, string? name)
    {
        foreach (var rule in role?["rules"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            if (Contains(rule["verbs"], verb)
                && Contains(rule["apiGroups"], group)
                && ResourceMatches(rule["resources"], resource)
                && NameMatches(rule["resourceNames"], name, verb))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Contains(JsonNode? list, string value) =>
        list is JsonArray array && array.Any(v => v?.GetValue<string>() is { } s && (s == "*" || s == value));

    private static bool ResourceMatches(JsonNode? list, string resource)
    {
        if (list is not JsonArray array)
        {
            return false;
        }

        foreach (var item in array)
        {
            var s = item?.GetValue<string>();
            if (s == "*" || s == resource)
            {
                return true;
            }

            var slash = resource.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && s == "*" + resource[slash..])
            {
                return true;
            }
        }

        return false;
    }

    private static bool NameMatches(JsonNode? list, string? name, string verb)
    {
        if (list is not JsonArray array || array.Count == 0)
        {
            return true;
        }

        return name is not null && verb != "create" && array.Any(v => v?.GetValue<string>() == name);
    }
}
