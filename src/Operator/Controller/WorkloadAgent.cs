using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>
/// Everything the operator holds for one workload while it leads: the status publisher (its one
/// status writer), the token publisher (with the last token, for repairs) and the running
/// monitor. The reconciler drives it; it decides between resuming, restarting and poking the
/// monitor so that status-only updates never restart anything.
/// <para>A monitor's stop waits for its request in flight (up to the engine's grace). A reconcile never waits for it:
/// it hands the stop off and returns, and <paramref name="stopHandedOff"/> is called once the monitor has stopped (the
/// registry queues the workload again), so the next reconcile does what is left — start the successor, publish the
/// verdict — and the successor never overlaps the old request.</para>
/// </summary>
public sealed class WorkloadAgent(WorkloadStatusPublisher status, Action? stopHandedOff = null)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Task _stopping = Task.CompletedTask;
    private TokenMonitor? _restartFrom;
    private KubernetesTokenPublisher? _restartPublisher;
    private TokenMonitor? _monitor;
    private long? _monitoredGeneration;
    private string? _credentialsVersion;
    private string? _requestIdentity;
    private bool _startedOnce;

    public WorkloadStatusPublisher Status { get; } = status;

    /// <summary>The token publisher of the running monitor, if any.</summary>
    public KubernetesTokenPublisher? TokenPublisher { get; private set; }

    /// <summary>True while a monitor runs.</summary>
    public bool IsMonitoring => _monitor is not null;

    /// <summary>True while a stopped monitor's request is still finishing.</summary>
    public bool IsStopping => !_stopping.IsCompleted;

    /// <summary>
    /// Stops the monitor (quietly) and reports the reconcile's <paramref name="verdict"/> (Failed or Pending). While
    /// the monitor's request is still finishing it returns at once: the verdict is reported by the reconcile that
    /// follows the stop, after anything the old request writes.
    /// </summary>
    public async Task HoldAsync(MonitorStatus verdict, long? generation, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            BeginStopLocked(restart: false);
            if (IsStopping)
            {
                return;
            }

            Status.ObserveGeneration(generation);
            await Status.PublishAsync(verdict, HoldEvent(verdict), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Makes sure a monitor runs for this generation. The first start resumes the persisted status and acts on what
    /// changed while no operator watched (spec, credentials, a deleted token Secret). A spec edit restarts the monitor
    /// from its current state, keeping an AuthRetrying window (the deadline follows a changed ceiling), and makes one
    /// attempt only when what the token request depends on changed. A credentials change or a new retry request pokes it.
    /// </summary>
    public async Task EnsureAsync(DesiredMonitor desired, TokenMonitorFactory factory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(factory);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Status.ObserveGeneration(desired.Generation);
            Status.TokenSecretName = desired.TokenPublisher.SecretName;
            Status.CredentialsRevision = desired.CredentialsRevision;
            Status.TickInterval = desired.Config.Timing.Retry.TickInterval;
            Status.ClientCertificate = desired.ClientCertificate;
            await Status.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (_monitor is not null && _monitoredGeneration != desired.Generation)
            {
                BeginStopLocked(restart: true);
            }

            if (IsStopping)
            {
                // The reconcile after the stop starts the successor from the old monitor's final state.
                return;
            }

            if (_monitor is null)
            {
                // Only a restarted monitor's token is current; after a hold the new monitor starts afresh anyway.
                var previousPublisher = _restartFrom is null ? null : _restartPublisher;
                var (resume, trigger) = ResumePointLocked(desired);
                if (!await CarryTokenOverLockedAsync(previousPublisher, desired.TokenPublisher, cancellationToken).ConfigureAwait(false))
                {
                    trigger = StartTrigger.Attempt;
                }

                TokenPublisher = desired.TokenPublisher;
                _monitor = factory.Create(desired.Config, desired.Ports with { Publisher = desired.TokenPublisher, Status = Status });
                _monitoredGeneration = desired.Generation;
                _credentialsVersion = desired.CredentialsVersion;
                _requestIdentity = desired.RequestIdentity;
                _startedOnce = true;
                _monitor.Start(resume, desired.RefreshTokenFence);
                Pull(trigger);
            }
            else if (_credentialsVersion != desired.CredentialsVersion)
            {
                _credentialsVersion = desired.CredentialsVersion;
                _monitor.CredentialsChanged();
            }

            // Otherwise the monitor is left alone: a reconcile, resync or watch event never reaches the token endpoint.

            // observedGeneration and the credentials revision are news even without a transition.
            await Status.RefreshAsync(cancellationToken).ConfigureAwait(false);

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

    /// <summary>Asks the running monitor for a new token now (the token Secret vanished and no token is cached).</summary>
    public async Task RequestTokenAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _monitor?.RetryRequested();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Where a new monitor starts, and which trigger it gets once started. A restart resumes from the stopped
    /// monitor's state, final because its stop (which waits for its sent request) has completed.</summary>
    private (MonitorStatus? Resume, StartTrigger Trigger) ResumePointLocked(DesiredMonitor desired)
    {
        if (_restartFrom is { } previous)
        {
            _restartFrom = null;
            _restartPublisher = null;
            var trigger = _requestIdentity != desired.RequestIdentity ? StartTrigger.Attempt : StartTrigger.None;
            return (previous.Status, trigger);
        }

        if (_startedOnce)
        {
            // After a hold (Failed or Pending verdict): the fixed spec gets a fresh start.
            return (null, StartTrigger.None);
        }

        var resume = Status.ResumeState();
        if (resume?.Phase is WorkloadPhase.Failed)
        {
            // Failed was the reconciler's verdict on an older spec; this spec gets a fresh start.
            return (null, StartTrigger.None);
        }

        var (spec, credentials) = Status.ChangedSinceLastOwner(desired.Generation, desired.CredentialsRevision);
        if (spec || (resume?.Phase is WorkloadPhase.Running && !desired.TokenSecretPresent))
        {
            // The spec changed while no operator ran, or the token Secret is gone and no token is cached to repair it.
            return (resume, StartTrigger.Attempt);
        }

        return (resume, credentials ? StartTrigger.CredentialsChanged : StartTrigger.None);
    }

    /// <summary>
    /// A renamed token Secret or a changed ownership takes effect at once: the token the stopped monitor published is
    /// written through the new publisher before the new monitor starts (so it cannot overwrite a newer one), without a
    /// token request. False when it could not be (no token held, or the write failed): the new monitor then asks for one.
    /// </summary>
    private static async Task<bool> CarryTokenOverLockedAsync(KubernetesTokenPublisher? previous, KubernetesTokenPublisher next, CancellationToken cancellationToken)
    {
        if (previous is null || ReferenceEquals(previous, next) || (previous.SecretName == next.SecretName && previous.Owned == next.Owned))
        {
            return true;
        }

        if (previous.Last is not { } held)
        {
            return false;
        }

        try
        {
            await next.PublishAsync(held, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }
    }

    private void Pull(StartTrigger trigger)
    {
        switch (trigger)
        {
            case StartTrigger.Attempt:
                _monitor!.RetryRequested();
                break;
            case StartTrigger.CredentialsChanged:
                _monitor!.CredentialsChanged();
                break;
        }
    }

    /// <summary>Stops the monitor without writing status and waits for it (deletion and lost leadership, off the workers).</summary>
    public async Task StopAsync()
    {
        Status.Stop();
        await _gate.WaitAsync().ConfigureAwait(false);
        Task stopping;
        try
        {
            BeginStopLocked(restart: false, notify: false);
            stopping = _stopping;
        }
        finally
        {
            _gate.Release();
        }

        await stopping.ConfigureAwait(false);
    }

    /// <summary>
    /// Starts stopping the running monitor without waiting for it. With <paramref name="restart"/> the next start
    /// resumes from its final state; with <paramref name="notify"/> the stop's end is reported when it did not end at once.
    /// </summary>
    private void BeginStopLocked(bool restart, bool notify = true)
    {
        if (_monitor is not { } monitor)
        {
            if (!restart)
            {
                _restartFrom = null;
                _restartPublisher = null;
            }

            return;
        }

        _monitor = null;
        _monitoredGeneration = null;
        _restartFrom = restart ? monitor : null;
        _restartPublisher = restart ? TokenPublisher : null;
        var previous = _stopping;
        _stopping = Task.WhenAll(previous, monitor.StopAsync());
        if (notify && !_stopping.IsCompleted && stopHandedOff is { } handedOff)
        {
            _ = _stopping.ContinueWith(_ => handedOff(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>What a freshly started monitor is told right after it starts.</summary>
    private enum StartTrigger
    {
        None,
        Attempt,
        CredentialsChanged,
    }

    private static MonitorEvent? HoldEvent(MonitorStatus verdict) => verdict.Phase switch
    {
        WorkloadPhase.Failed => new MonitorEvent(MonitorEventType.Warning, verdict.Reason, verdict.Message),
        WorkloadPhase.Pending => new MonitorEvent(MonitorEventType.Normal, verdict.Reason, verdict.Message),
        _ => null,
    };
}
