namespace RemoteWorkloadOperator.Testing.ControlPlane.Api;

/// <summary>The built-in types the emulator serves (the ones the operator and kubectl need).</summary>
internal static class BuiltInResources
{
    private static readonly PrinterColumn Age = new("Age", "date", ".metadata.creationTimestamp", "CreationTimestamp is a timestamp representing the server time when this object was created.");

    public static IEnumerable<ResourceType> All()
    {
        yield return Core("namespaces", "namespace", "Namespace", false, ["ns"], hasStatus: true,
            columns: [new("Status", "string", ".status.phase", "The phase of the namespace"), Age]);
        yield return Core("secrets", "secret", "Secret", true, [],
            columns: [new("Type", "string", ".type", "The type of the secret"), new("Data", "string", "#data", "The number of entries in the data"), Age]);
        yield return Core("configmaps", "configmap", "ConfigMap", true, ["cm"],
            columns: [new("Data", "string", "#data", "The number of entries in the data"), Age]);
        yield return Core("events", "event", "Event", true, ["ev"],
            columns: [new("Last Seen", "string", "#lastseen", "Time since the event was last seen"), new("Type", "string", ".type", "Type of the event"), new("Reason", "string", ".reason", "Reason"), new("Object", "string", "#involved", "The object"), new("Message", "string", ".message", "Message")]);
        yield return Core("serviceaccounts", "serviceaccount", "ServiceAccount", true, ["sa"], columns: [new("Secrets", "string", "#secrets", "Secrets"), Age]);
        yield return Core("pods", "pod", "Pod", true, ["po"], hasStatus: true, columns: [new("Status", "string", ".status.phase", "Phase"), Age]);
        yield return Core("services", "service", "Service", true, ["svc"], hasStatus: true);
        // pkg/registry/coordination/lease/strategy.go AllowUnconditionalUpdate: false, so a PUT of a Lease
        // without resourceVersion is a 422 (leader election must always send the version it read).
        yield return Typed("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, [],
            columns: [new("Holder", "string", ".spec.holderIdentity", "The holder of the lease"), Age]) with
        { AllowUnconditionalUpdate = false };
        yield return Typed("events.k8s.io", "v1", "events", "event", "Event", true, ["ev"]) with
        {
            StorageKeyOverride = "/events",
            FromStorage = EventConversion.CoreToEventsV1,
            ToStorage = EventConversion.EventsV1ToCore,
        };
        yield return Typed("apps", "v1", "deployments", "deployment", "Deployment", true, ["deploy"], hasStatus: true);
        foreach (var rbac in new[] { ("roles", "role", "Role", true), ("rolebindings", "rolebinding", "RoleBinding", true), ("clusterroles", "clusterrole", "ClusterRole", false), ("clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false) })
        {
            yield return Typed("rbac.authorization.k8s.io", "v1", rbac.Item1, rbac.Item2, rbac.Item3, rbac.Item4, [],
                columns: rbac.Item1.EndsWith("bindings", StringComparison.Ordinal)
                    ? [new("Role", "string", "#roleref", "RoleRef"), Age]
                    : [new("Created At", "string", ".metadata.creationTimestamp", "Created at")]);
        }

        yield return Typed("authentication.k8s.io", "v1", "selfsubjectreviews", "", "SelfSubjectReview", false, []) with { Verbs = ["create"], IsReview = true };
        yield return Typed("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "", "SelfSubjectAccessReview", false, []) with { Verbs = ["create"], IsReview = true };
        yield return Typed("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", false, ["crd", "crds"], hasStatus: true,
            columns: [new("Created At", "string", ".metadata.creationTimestamp", "Created at")]) with
        { AllowUnconditionalUpdate = false };
    }

    private static ResourceType Core(string plural, string singular, string kind, bool namespaced, string[] shortNames, bool hasStatus = false, PrinterColumn[]? columns = null) =>
        Typed("", "v1", plural, singular, kind, namespaced, shortNames, hasStatus, columns);

    private static ResourceType Typed(string group, string version, string plural, string singular, string kind, bool namespaced, string[] shortNames, bool hasStatus = false, PrinterColumn[]? columns = null) => new()
    {
        Group = group,
        Version = version,
        Plural = plural,
        Singular = singular,
        Kind = kind,
        Namespaced = namespaced,
        ShortNames = shortNames,
        HasStatus = hasStatus,
        Columns = columns ?? [Age],
        Categories = plural is "pods" or "services" or "deployments" ? ["all"] : [],
    };
}
