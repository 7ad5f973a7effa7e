using k8s.Models;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Tests.Runtime;

public sealed class CachedMetadataTests
{
    [Fact]
    public void The_write_history_is_dropped_and_every_other_annotation_and_label_kept()
    {
        var metadata = new V1ObjectMeta
        {
            Name = "w",
            NamespaceProperty = "ns",
            ResourceVersion = "42",
            Labels = new Dictionary<string, string> { ["app"] = "x" },
            Annotations = new Dictionary<string, string>
            {
                [CachedMetadata.LastAppliedAnnotation] = "{\"spec\":{}}",
                ["workloads.dev/retry-requested-at"] = "now",
            },
            ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl", Operation = "Apply", FieldsType = "FieldsV1" }],
        };

        CachedMetadata.DropWriteHistory(metadata);

        Assert.Null(metadata.ManagedFields);
        Assert.Equal(new Dictionary<string, string> { ["workloads.dev/retry-requested-at"] = "now" }, metadata.Annotations);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "x" }, metadata.Labels);
        Assert.Equal(("w", "ns", "42"), (metadata.Name, metadata.NamespaceProperty, metadata.ResourceVersion));
    }
}
