using k8s.LeaderElection;

namespace RemoteWorkloadOperator.Runtime;

/// <summary>
/// The Lease lock as KubernetesClient's elector uses it, remembering who held the Lease when this replica took it:
/// another identity means a takeover of a Lease its holder did not release (that holder may still be finishing a token
/// request); an empty holder means it was released after its monitors stopped. The elector itself reports only the
/// holders it settles on, never the released state it acquires from, so the lock is where this can be seen.
/// </summary>
internal sealed class HolderObservingLock(ILock inner) : ILock
{
    private volatile string? _lastSeenHolder;

    /// <summary>The holder the Lease had when this replica last acquired it: null or empty when it was free.</summary>
    public string? PreviousHolder { get; private set; }

    public string Identity => inner.Identity;

    public async Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default)
    {
        var record = await inner.GetAsync(cancellationToken).ConfigureAwait(false);
        _lastSeenHolder = record?.HolderIdentity;
        return record!;
    }

    public async Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default)
    {
        var created = await inner.CreateAsync(record, cancellationToken).ConfigureAwait(false);
        if (created)
        {
            PreviousHolder = null;
        }

        return created;
    }

    public async Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default)
    {
        var holderBefore = _lastSeenHolder;
        var updated = await inner.UpdateAsync(record, cancellationToken).ConfigureAwait(false);
        if (updated && holderBefore != Identity)
        {
            // An acquisition (a renewal updates a record we already hold).
            PreviousHolder = holderBefore;
        }

        return updated;
    }

    public string Describe() => inner.Describe();
}
