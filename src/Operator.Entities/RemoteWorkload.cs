using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities;

/// <summary>
/// A workload that calls a remote, OAuth-protected endpoint. The operator keeps an access token
/// for it in a Secret and refreshes it ahead of expiry.
/// </summary>
[Description("RemoteWorkload keeps an OAuth access token for a remote, OAuth-protected endpoint in a Secret and refreshes it ahead of expiry.")]
[CelRule("!has(self.spec.tokenSecret) || !has(self.spec.tokenSecret.name) || self.spec.tokenSecret.name != self.metadata.name + '-oauth-state'", "spec.tokenSecret.name must not be <metadata.name>-oauth-state: that is the operator's private state Secret")]
public sealed class RemoteWorkload : IKubernetesObject<V1ObjectMeta>, ISpec<RemoteWorkloadSpec>, IStatus<RemoteWorkloadStatus?>
{
    public string ApiVersion { get; set; } = WorkloadApi.ApiVersion;

    public string Kind { get; set; } = WorkloadApi.Kind;

    public V1ObjectMeta Metadata { get; set; } = new();

    [Required]
    [Description("Desired state: the remote service and how to obtain its token.")]
    public RemoteWorkloadSpec Spec { get; set; } = new();

    [Description("Observed state, written only by the operator.")]
    public RemoteWorkloadStatus? Status { get; set; }
}
