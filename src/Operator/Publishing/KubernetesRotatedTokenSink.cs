using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Publishing;

/// <summary>Persists rotated refresh tokens in the workload's state Secret before anything else happens.</summary>
public sealed class KubernetesRotatedTokenSink(RefreshTokenStateStore state, WorkloadReference workload) : IRotatedRefreshTokenSink
{
    public async ValueTask StoreAsync(RotatedRefreshToken rotated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rotated);
        var inputFingerprint = KubernetesCredentialsSource.InputFingerprintOf(rotated.DescendsFromVersion);
        await state.SaveAsync(workload, inputFingerprint, rotated.RefreshToken, cancellationToken).ConfigureAwait(false);
    }
}
