using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Api;

/// <summary>One served resource of one group/version: what discovery lists and what the handlers store.</summary>
public sealed record ResourceType
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public required string Kind { get; init; }

    public required bool Namespaced { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Whether <c>/status</c> is a subresource (the main endpoint then ignores <c>.status</c>).</summary>
    public bool HasStatus { get; init; }

    /// <summary>True for types served because a CRD was installed.</summary>
    public bool IsCustom { get; init; }

    /// <summary>The structural schema (CRD openAPIV3Schema) used for validation, defaulting and pruning; null = none.</summary>
    public JsonObject? Schema { get; init; }

    /// <summary>Table columns after Name.</summary>
    public IReadOnlyList<PrinterColumn> Columns { get; init; } = [];

    /// <summary>Whether a PUT without metadata.resourceVersion is allowed (false for custom resources).</summary>
    public bool AllowUnconditionalUpdate { get; init; } = true;

    /// <summary>Verbs listed in discovery.</summary>
    public IReadOnlyList<string> Verbs { get; init; } = AllVerbs;

    /// <summary>True for create-only review resources answered without storage (SelfSubjectReview, SelfSubjectAccessReview).</summary>
    public bool IsReview { get; init; }

    /// <summary>Another resource's bucket this one is stored in (events.k8s.io/v1 Events live with core v1 Events).</summary>
    public string? StorageKeyOverride { get; init; }

    /// <summary>Converts a stored object (in the owning resource's shape) into this resource's shape.</summary>
    public Func<JsonObject, JsonObject>? FromStorage { get; init; }

    /// <summary>Converts an object in this resource's shape into the stored shape.</summary>
    public Func<JsonObject, JsonObject>? ToStorage { get; init; }

    /// <summary>Storage bucket shared by all versions of the resource.</summary>
    public string StorageKey => StorageKeyOverride ?? $"{Group}/{Plural}";

    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string GroupVersion => ApiVersion;

    public string ListKind => Kind + "List";

    public static IReadOnlyList<string> AllVerbs { get; } =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
}
