using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>
/// Publishes access tokens into the workload's token Secret and remembers the last one, so a
/// deleted or tampered Secret can be rewritten without asking the IdP for a new token.
/// </summary>
public sealed class KubernetesTokenPublisher(TokenSecretWriter writer, WorkloadReference workload, string secretName, bool owned) : ITokenPublisher
{
    private volatile PublishedToken? _last;

    public string SecretName => secretName;

    /// <summary>Whether the Secret carries the workload's ownerReference (ownership Owner).</summary>
    public bool Owned => owned;

    /// <summary>The token the Secret should hold: the last one published or being published, if any (never logged).</summary>
    public PublishedToken? Last => _last;

    public async ValueTask PublishAsync(PublishedToken token, CancellationToken cancellationToken)
    {
        // Remembered before the write: the write's own watch event can arrive before the write's answer, and compared
        // with the previous token it would look like tampering, so the repair would write the older token back over
        // the new one (and then the new one again).
        _last = token;
        await writer.PublishAsync(workload, secretName, owned, token, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rewrites the last published token if the Secret no longer holds it; true when it wrote.</summary>
    public async Task<bool> RepairAsync(CancellationToken cancellationToken) =>
        _last is { } token && await writer.PublishAsync(workload, secretName, owned, token, cancellationToken).ConfigureAwait(false);
}
