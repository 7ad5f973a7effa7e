using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>Persists rotated refresh tokens in the workload's state Secret before anything else happens.</summary>
public sealed class KubernetesRotatedTokenSink(RefreshTokenStateStore state, WorkloadReference workload) : IRotatedRefreshTokenSink
{
    public async ValueTask StoreAsync(RotatedRefreshToken rotated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rotated);

        // The lineage is the input refresh token's fingerprint (KubernetesCredentialsSource sets it).
        await state.SaveAsync(workload, rotated.DescendsFrom, rotated.RefreshToken, cancellationToken).ConfigureAwait(false);
    }
}
