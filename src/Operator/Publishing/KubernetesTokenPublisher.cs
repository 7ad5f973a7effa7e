using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Publishing;

/// <summary>
/// Publishes access tokens into the workload's token Secret and remembers the last one, so a
/// deleted or tampered Secret can be rewritten without asking the IdP for a new token.
/// </summary>
public sealed class KubernetesTokenPublisher(TokenSecretWriter writer, WorkloadReference workload, string secretName, bool owned) : ITokenPublisher
{
    private volatile PublishedToken? _last;

    public string SecretName => secretName;

    /// <summary>The token last published, if any (never logged).</summary>
    public PublishedToken? Last => _last;

    public async ValueTask PublishAsync(PublishedToken token, CancellationToken cancellationToken)
    {
        await writer.PublishAsync(workload, secretName, owned, token, cancellationToken).ConfigureAwait(false);
        _last = token;
    }

    /// <summary>Rewrites the last published token if the Secret no longer holds it; true when it wrote.</summary>
    public async Task<bool> RepairAsync(CancellationToken cancellationToken) =>
        _last is { } token && await writer.PublishAsync(workload, secretName, owned, token, cancellationToken).ConfigureAwait(false);
}
