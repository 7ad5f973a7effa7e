using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Publishing;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>
/// Everything the operator holds for one workload while it leads: the status publisher (its one
/// status writer), the token publisher (with the last token, for repairs) and the running
/// monitor. The reconciler drives it; it decides between resuming, restarting and poking the
/// monitor so that status-only updates never restart anything.
/// </summary>
public sealed class WorkloadAgent(WorkloadStatusPublisher status)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IWorkloadMonitor? _monitor;
    private long? _monitoredGeneration;
    private string? _credentialsVersion;
    private bool _startedOnce;

    public WorkloadStatusPublisher Status { get; } = status;

    /// <summary>The token publisher of the running monitor, if any.</summary>
    public KubernetesTokenPublisher? TokenPublisher { get; private set; }

    /// <summary>True while a monitor runs.</summary>
    public bool IsMonitoring => _monitor is not null;

    /// <summary>Stops the monitor (quietly) and reports <paramref name="facts"/> (Failed or Pending).</summary>
    public async Task HoldAsync(WorkloadFacts facts, long? generation, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopMonitorLockedAsync().ConfigureAwait(false);
            Status.ObserveGeneration(generation);
            await Status.PublishAsync(facts, HoldEvent(facts), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Makes sure a monitor runs for this generation: starts one (resuming the persisted state the
    /// first time), restarts it on a spec change, and pokes it on a credentials change or a new
    /// retry request.
    /// </summary>
    public async Task EnsureAsync(DesiredMonitor desired, MonitorFactory factory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(factory);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Status.ObserveGeneration(desired.Generation);
            Status.TokenSecretName = desired.TokenPublisher.SecretName;
            await Status.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (_monitor is null || _monitoredGeneration != desired.Generation)
            {
                var resume = _startedOnce ? MonitorResumeState.Fresh : Status.ResumeState();
                if (resume.Phase is TokenPhase.Failed)
                {
                    // Failed was the reconciler's verdict on an older spec; this spec gets a fresh start.
                    resume = MonitorResumeState.Fresh;
                }

                await StopMonitorLockedAsync().ConfigureAwait(false);
                TokenPublisher = desired.TokenPublisher;
                _monitor = factory(desired.Config, desired.Ports with { Publisher = desired.TokenPublisher, Status = Status });
                _monitoredGeneration = desired.Generation;
                _credentialsVersion = desired.CredentialsVersion;
                _startedOnce = true;
                _monitor.Start(resume);
            }
            else if (_credentialsVersion != desired.CredentialsVersion)
            {
                _credentialsVersion = desired.CredentialsVersion;
                _monitor.CredentialsChanged();
            }
            else
            {
                _monitor.Nudge();
            }

            if (desired.RetryRequest is { } request && request != Status.LastHandledRetryRequest)
            {
                _monitor.RetryRequested();
                await Status.RecordRetryRequestAsync(request, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the monitor without writing status (deletion, lost leadership).</summary>
    public async Task StopAsync()
    {
        Status.Stop();
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopMonitorLockedAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StopMonitorLockedAsync()
    {
        if (_monitor is { } monitor)
        {
            _monitor = null;
            _monitoredGeneration = null;
            await monitor.StopAsync().ConfigureAwait(false);
        }
    }

    private static MonitorEvent? HoldEvent(WorkloadFacts facts) => facts.Phase switch
    {
        WorkloadPhase.Failed => new MonitorEvent(MonitorEventType.Warning, facts.Reason, facts.Message),
        WorkloadPhase.Pending => new MonitorEvent(MonitorEventType.Normal, facts.Reason, facts.Message),
        _ => null,
    };
}
