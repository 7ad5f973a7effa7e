using k8s.Models;

namespace RemoteWorkloadOperator.Runtime;

/// <summary>
/// What the informer caches drop from every object's metadata: the write history nobody in the operator reads.
/// <c>managedFields</c> (one entry per field manager, each a copy of the field set it owns) and kubectl's
/// <c>last-applied-configuration</c> annotation (a copy of the whole object as last applied; for a Secret, of its data)
/// often outweigh the rest of a small object, and the caches hold every workload and every Secret they watch.
/// The operator never writes a cached object back whole (status and Secrets are patched or rebuilt), so nothing is lost.
/// </summary>
public static class CachedMetadata
{
    /// <summary>kubectl's copy of the applied object.</summary>
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>Removes <c>managedFields</c> and the <c>last-applied-configuration</c> annotation, in place.</summary>
    public static void DropWriteHistory(V1ObjectMeta metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        metadata.ManagedFields = null;
        metadata.Annotations?.Remove(LastAppliedAnnotation);
    }
}
