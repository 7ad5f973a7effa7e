using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Storage;

/// <summary>One change in the store's history: what a watch replays and streams.</summary>
/// <param name="ResourceVersion">The revision the change was written at.</param>
/// <param name="Type">ADDED, MODIFIED or DELETED.</param>
/// <param name="StorageKey">The resource bucket (group/plural).</param>
/// <param name="Namespace">The namespace, empty for cluster-scoped objects.</param>
/// <param name="Object">The object after the change (for DELETED: the last state with the deletion revision).</param>
/// <param name="Previous">The object before the change, if any.</param>
public sealed record StoredEvent(long ResourceVersion, string Type, string StorageKey, string Namespace, JsonObject Object, JsonObject? Previous);
