using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Hosting;

namespace RemoteWorkloadOperator.Controller;

/// <summary>
/// Runs the controller only while this replica holds the Lease (KubernetesClient's
/// <see cref="LeaderElector"/>). Losing the Lease cancels the leading work, which stops every
/// monitor without writing status; the loop then competes for the Lease again.
/// </summary>
public sealed partial class LeadershipLoop(IKubernetes client, OperatorOptions options, ILogger<LeadershipLoop> logger)
{
    private volatile bool _leading;

    /// <summary>True while this replica leads (or leader election is off and the controller runs).</summary>
    public bool IsLeader => _leading;

    /// <summary>Runs <paramref name="lead"/> whenever this replica leads, until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        if (!options.LeaderElection)
        {
            _leading = true;
            try
            {
                await lead(cancellationToken).ConfigureAwait(false);
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
            var config = new LeaderElectionConfig(new LeaseLock(client, options.LeaseNamespace, options.LeaseName, options.Identity))
            {
                LeaseDuration = options.LeaseDuration,
                RenewDeadline = options.RenewDeadline,
                RetryPeriod = options.RetryPeriod,
            };
            using var elector = new LeaderElector(config);
            elector.OnStartedLeading += () =>
            {
                _leading = true;
                LogStartedLeading(logger, options.Identity, options.LeaseNamespace, options.LeaseName);
                work = Task.Run(() => lead(leading.Token), CancellationToken.None);
            };
            elector.OnStoppedLeading += () =>
            {
                _leading = false;
                leading.Cancel();
            };
            elector.OnError += e => LogElectionError(logger, e);
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
                    await work.ConfigureAwait(false);
                }
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                LogLostLeadership(logger, options.Identity);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} became leader (Lease {Namespace}/{Name})")]
    private static partial void LogStartedLeading(ILogger logger, string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} lost leadership; monitors stopped without status writes")]
    private static partial void LogLostLeadership(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Debug, Message = "leader election error")]
    private static partial void LogElectionError(ILogger logger, Exception exception);
}
