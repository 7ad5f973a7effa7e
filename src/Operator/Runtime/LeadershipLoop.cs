using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Hosting;

namespace RemoteWorkloadOperator.Runtime;

/// <summary>
/// Runs the controller only while this replica holds the Lease (KubernetesClient's <see cref="LeaderElector"/>).
/// Losing the Lease cancels the leading work, which stops every monitor without writing status (each finishing a sent
/// token request first); the loop then competes again. On shutdown the Lease is released once the monitors have
/// stopped, which tells the next leader that no request of ours is still in flight.
/// </summary>
/// <param name="client">The API client.</param>
/// <param name="options">Lease settings.</param>
/// <param name="monitorClock">The monitors' clock, on which the refresh-token fence is expressed.</param>
/// <param name="logger">Logger.</param>
public sealed partial class LeadershipLoop(IKubernetes client, OperatorOptions options, TimeProvider monitorClock, ILogger<LeadershipLoop> logger)
{
    private volatile bool _leading;

    /// <summary>True while this replica leads (or leader election is off and the controller runs).</summary>
    public bool IsLeader => _leading;

    /// <summary>How long a new leader waits before its first refresh-token request after taking over a Lease that its
    /// previous holder did not release: that holder may still be finishing a request that rotates a refresh token.</summary>
    public required TimeSpan TakeoverWait { get; init; }

    /// <summary>
    /// Runs <paramref name="lead"/> whenever this replica leads, until <paramref name="cancellationToken"/> fires. The
    /// second argument of <paramref name="lead"/> is the refresh-token fence: no refresh-token request before it.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, DateTimeOffset?, Task> lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        if (!options.LeaderElection)
        {
            _leading = true;
            try
            {
                await lead(cancellationToken, null).ConfigureAwait(false);
            }
            finally
            {
                _leading = false;
            }

            return;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task? work = null;
            var leaseLock = new HolderObservingLock(new LeaseLock(client, options.LeaseNamespace, options.LeaseName, options.Identity));
            var config = new LeaderElectionConfig(leaseLock)
            {
                LeaseDuration = options.LeaseDuration,
                RenewDeadline = options.RenewDeadline,
                RetryPeriod = options.RetryPeriod,
            };
            using var elector = new LeaderElector(config);
            elector.OnStartedLeading += () =>
            {
                _leading = true;
                var previous = leaseLock.PreviousHolder;
                var takeover = !string.IsNullOrEmpty(previous);
                DateTimeOffset? fence = takeover ? monitorClock.GetUtcNow() + TakeoverWait : null;
                LogStartedLeading(logger, options.Identity, options.LeaseNamespace, options.LeaseName, takeover ? previous! : "none (released or new)");
                work = Task.Run(() => lead(leading.Token, fence), CancellationToken.None);
            };
            elector.OnStoppedLeading += () =>
            {
                _leading = false;
                leading.Cancel();
            };
            elector.OnError += e => LogElectionError(logger, KubernetesErrors.Describe(e));
            try
            {
                await elector.RunUntilLeadershipLostAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            finally
            {
                _leading = false;
                await leading.CancelAsync().ConfigureAwait(false);
                if (work is not null)
                {
                    // Monitors finish their sent requests (bounded by the grace) before this completes.
                    await work.ConfigureAwait(false);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        await ReleaseAsync().ConfigureAwait(false);
                    }
                }
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                LogLostLeadership(logger, options.Identity);
            }
        }
    }

    /// <summary>Gives the Lease up (empty holder, as client-go's ReleaseOnCancel does) if this replica still holds it.</summary>
    private async Task ReleaseAsync()
    {
        try
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(options.LeaseName, options.LeaseNamespace).ConfigureAwait(false);
            if (lease.Spec?.HolderIdentity != options.Identity)
            {
                return;
            }

            // Empty, not null: KubernetesClient's elector treats a null holder as "no Lease" and would try to create one.
            lease.Spec.HolderIdentity = "";
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = DateTime.UtcNow;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, options.LeaseName, options.LeaseNamespace).ConfigureAwait(false);
            LogReleased(logger, options.Identity);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
        {
            // Not releasing only makes the next leader wait out the Lease and the grace.
            LogReleaseFailed(logger, KubernetesErrors.Describe(e));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} became leader (Lease {Namespace}/{Name}; previous holder {Previous})")]
    private static partial void LogStartedLeading(ILogger logger, string identity, string @namespace, string name, string previous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} lost leadership; monitors stopped without status writes")]
    private static partial void LogLostLeadership(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} released the Lease after its monitors stopped")]
    private static partial void LogReleased(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "releasing the Lease failed ({Error})")]
    private static partial void LogReleaseFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "leader election error ({Error})")]
    private static partial void LogElectionError(ILogger logger, string error);
}
