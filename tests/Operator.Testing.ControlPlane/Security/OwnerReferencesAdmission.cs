using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Security;

/// <summary>
/// The OwnerReferencesPermissionEnforcement admission plugin (kubernetes
/// <c>plugin/pkg/admission/gc/gc_admission.go</c>, on by default in OpenShift and some hardened
/// clusters): a create or update that changes <c>ownerReferences</c> needs <c>delete</c> on the object
/// itself, and a new <c>blockOwnerDeletion: true</c> reference needs <c>update</c> on the owner's
/// <c>finalizers</c> subresource. Off unless <see cref="LocalControlPlaneOptions.OwnerReferencesPermissionEnforcement"/>.
/// </summary>
internal sealed class OwnerReferencesAdmission(RbacAuthorizer authorizer, ResourceRegistry registry)
{
    public void Admit(Identity identity, ResourceType type, string? subresource, string ns, JsonObject? old, JsonObject next)
    {
        // gc_admission.go whitelists pods/status only; everything else is checked.
        if (type.Plural == "pods" && subresource == "status")
        {
            return;
        }

        var newRefs = next["metadata"]?["ownerReferences"] as JsonArray ?? [];
        var oldRefs = old?["metadata"]?["ownerReferences"] as JsonArray ?? [];
        var changing = old is null ? newRefs.Count > 0 : !JsonNode.DeepEquals(newRefs, oldRefs);
        if (!changing)
        {
            return;
        }

        var name = ObjectMeta.Name(next);
        var scope = type.Namespaced ? ns : null;
        if (!authorizer.Allows(identity, "delete", type.Group, type.Plural, subresource, scope, name))
        {
            throw Forbidden(type, name, "cannot set an ownerRef on a resource you can't delete: , <nil>");
        }

        var wasBlocking = oldRefs.Where(IsBlocking).Select(r => r?["uid"]?.GetValue<string>()).ToHashSet();
        foreach (var reference in newRefs.Where(r => IsBlocking(r) && !wasBlocking.Contains(r?["uid"]?.GetValue<string>())))
        {
            var apiVersion = reference?["apiVersion"]?.GetValue<string>() ?? "";
            var kind = reference?["kind"]?.GetValue<string>() ?? "";
            var owner = registry.FindKind(apiVersion, kind)
                ?? throw Forbidden(type, name, $"cannot set blockOwnerDeletion in this case because cannot find RESTMapping for APIVersion {apiVersion} Kind {kind}: no matches for kind \"{kind}\" in version \"{apiVersion}\"");
            if (!authorizer.Allows(identity, "update", owner.Group, owner.Plural, "finalizers", scope, reference?["name"]?.GetValue<string>()))
            {
                throw Forbidden(type, name, "cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: , <nil>");
            }
        }
    }

    private static bool IsBlocking(JsonNode? reference) =>
        reference?["blockOwnerDeletion"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    // admission.NewForbidden: "<resource> \"<name>\" is forbidden: <reason>" with the resource's details.
    private static ApiException Forbidden(ResourceType type, string name, string reason) =>
        new(403, "Forbidden", $"{(name.Length == 0 ? type.GroupResource : $"{type.GroupResource} \"{name}\"")} is forbidden: {reason}", Status.Details(type, name));
}
