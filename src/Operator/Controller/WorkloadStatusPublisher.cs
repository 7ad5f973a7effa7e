using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Runtime;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>
/// The one writer of one workload's status (architecture: "one writer per object"). The
/// monitor's transitions and the reconciler's verdicts (Failed, Pending, a handled retry
/// request) all pass through here, serialised, composed against the last written status, and
/// written only when something changed. The Event that goes with a transition is recorded after
/// its status write succeeded.
/// </summary>
public sealed partial class WorkloadStatusPublisher : IStatusSink
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly StatusWriter _writer;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long? _persistedGeneration;
    private readonly string? _persistedCredentialsRevision;
    private RemoteWorkloadStatus? _current;
    private MonitorStatus? _state;
    private long? _generation;
    private string? _lastHandledRetryRequest;
    private MonitorEvent? _pendingEvent;
    private volatile bool _pendingWrite;
    private readonly CancellationTokenSource _lifetime = new();
    private int _retrying;

    public WorkloadStatusPublisher(WorkloadReference workload, RemoteWorkloadStatus? current, long? generation, StatusWriter writer, EventRecorder events, TimeProvider time, ILogger logger)
    {
        Workload = workload;
        _current = current;
        _generation = generation;
        _lastHandledRetryRequest = current?.LastHandledRetryRequest;
        CredentialsRevision = current?.ObservedCredentialsRevision;
        _persistedGeneration = current?.ObservedGeneration;
        _persistedCredentialsRevision = current?.ObservedCredentialsRevision;
        _writer = writer;
        _events = events;
        _time = time;
        _logger = logger;
    }

    public WorkloadReference Workload { get; }

    /// <summary>The token Secret reported in <c>status.token.secretName</c>.</summary>
    public string? TokenSecretName { get; set; }

    /// <summary>The credentials revision reported in <c>status.observedCredentialsRevision</c>.</summary>
    public string? CredentialsRevision { get; set; }

    /// <summary>The workload's AuthRetrying cadence, named in the AuthRetrying condition's message.</summary>
    public TimeSpan? TickInterval { get; set; }

    /// <summary>With a mutual-TLS method: the client certificate's validity, behind the ClientCertificateExpiring condition.</summary>
    public ClientCertificateValidity? ClientCertificate { get; set; }

    /// <summary>
    /// What changed while no operator watched this workload, judged against the status it had when this replica first
    /// saw it: the spec (observedGeneration) or the credentials Secrets (observedCredentialsRevision). A status written
    /// before these fields existed counts as unchanged.
    /// </summary>
    public (bool Spec, bool Credentials) ChangedSinceLastOwner(long? generation, string? credentialsRevision) => (
        _persistedGeneration is { } seen && generation is { } now && seen != now,
        _persistedCredentialsRevision is { } revision && credentialsRevision is not null && revision != credentialsRevision);

    /// <summary>Writes the current state again if the status it maps to changed (a new observedGeneration or
    /// credentials revision after a spec or Secret change that is no transition).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state is not null || _current is not null)
            {
                await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The retry-request value last recorded.</summary>
    public string? LastHandledRetryRequest => _lastHandledRetryRequest;

    /// <summary>Fires after every status write with the phase before and after (for metrics).</summary>
    public event Action<WorkloadPhase?, WorkloadPhase>? Transitioned;

    /// <summary>Monitor port: one call per transition or progress update.</summary>
    public async ValueTask WriteAsync(StatusUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Kind == StatusUpdateKind.EventOnly)
        {
            // The status is unchanged by design (e.g. new credentials rejected again); only the hint is news.
            if (update.Event is { } hint)
            {
                await RecordAsync(hint, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        await PublishAsync(update.Status, update.Event, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="state"/> (and records <paramref name="event"/> after a successful write of a change).</summary>
    public async Task PublishAsync(MonitorStatus state, MonitorEvent? @event, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _state = state;
            if (@event is not null)
            {
                _pendingEvent = @event;
            }

            await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Retries a status write that failed earlier (called by every reconcile of the workload).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_pendingWrite)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Writes the pending status, then its Event. A failure keeps both pending (a transition is
    /// never lost: the next flush writes it) and is reported to the caller.
    /// </summary>
    private async Task FlushLockedAsync(CancellationToken cancellationToken)
    {
        _pendingWrite = true;
        bool wrote;
        try
        {
            wrote = await WriteLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RetryLater();
            throw;
        }

        _pendingWrite = false;
        if (_pendingEvent is { } @event)
        {
            _pendingEvent = null;
            if (wrote)
            {
                await RecordAsync(@event, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Records that the retry request <paramref name="value"/> was acted on, rewriting the status if it changes.</summary>
    public Task RecordRetryRequestAsync(string value, CancellationToken cancellationToken)
    {
        _lastHandledRetryRequest = value;
        return RefreshAsync(cancellationToken);
    }

    /// <summary>Stops background retries; called when this replica stops managing the workload (no status write after it).</summary>
    public void Stop() => _lifetime.Cancel();

    /// <summary>Keeps retrying a failed write in the background (2s, 4s … 30s) until it lands or <see cref="Stop"/>.</summary>
    private void RetryLater()
    {
        if (Interlocked.Exchange(ref _retrying, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            var failures = 0;
            try
            {
                while (_pendingWrite && !_lifetime.IsCancellationRequested)
                {
                    await Task.Delay(Backoff.Delay(++failures, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30)), _lifetime.Token).ConfigureAwait(false);
                    try
                    {
                        await FlushAsync(_lifetime.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogWriteRetryFailed(_logger, Workload.Key, KubernetesErrors.Describe(e));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                Interlocked.Exchange(ref _retrying, 0);
            }
        });
    }

    /// <summary>Updates the generation that the next write reports as observed.</summary>
    public void ObserveGeneration(long? generation) => _generation = generation;

    /// <summary>The persisted status as the state a monitor resumes from after a restart or failover (null: fresh).</summary>
    public MonitorStatus? ResumeState() => StatusMapping.FromWire(_current);

    private async Task<bool> WriteLockedAsync(CancellationToken cancellationToken)
    {
        var state = _state ?? StatusMapping.FromWire(_current) ?? MonitorStatus.Fresh;
        var context = new StatusContext(_generation, _lastHandledRetryRequest, CredentialsRevision, TokenSecretName, TickInterval, ClientCertificate);
        var desired = StatusMapping.ToWire(_current, state, context, _time.GetUtcNow());
        if (StatusMapping.SameAs(_current, desired))
        {
            return false;
        }

        var before = _current?.Phase;
        if (!await _writer.WriteAsync(Workload, _current, desired, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var wasExpiring = IsRefreshTokenExpiring(_current);
        var certificateWasExpiring = IsTrue(_current, ConditionTypes.ClientCertificateExpiring);
        _current = desired;
        Transitioned?.Invoke(before, desired.Phase ?? WorkloadPhase.Pending);
        if (!wasExpiring && IsRefreshTokenExpiring(desired))
        {
            // Once per turn to True: a person has to re-authorise the client before the refresh token ends.
            var condition = desired.Conditions!.First(c => c.Type == ConditionTypes.RefreshTokenExpiring);
            await RecordAsync(new MonitorEvent(MonitorEventType.Warning, Reasons.RefreshTokenExpiring, condition.Message), cancellationToken).ConfigureAwait(false);
        }

        if (!certificateWasExpiring && IsTrue(desired, ConditionTypes.ClientCertificateExpiring))
        {
            // Once per turn to True: a person has to renew the certificate before the IdP refuses it.
            var condition = desired.Conditions!.First(c => c.Type == ConditionTypes.ClientCertificateExpiring);
            await RecordAsync(new MonitorEvent(MonitorEventType.Warning, Reasons.ClientCertificateExpiring, condition.Message), cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private async Task RecordAsync(MonitorEvent @event, CancellationToken cancellationToken)
    {
        try
        {
            await _events.RecordAsync(Workload, @event.Type.ToString(), @event.Reason, @event.Message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An Event is a notification: losing one must not undo or repeat a transition.
            LogEventFailed(_logger, Workload.Key, @event.Reason, KubernetesErrors.Describe(e));
        }
    }

    private static bool IsTrue(RemoteWorkloadStatus? status, string type) =>
        status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;

    private static bool IsRefreshTokenExpiring(RemoteWorkloadStatus? status) =>
        status?.Conditions?.Any(c => c.Type == ConditionTypes.RefreshTokenExpiring && c.Status == "True") == true;

    [LoggerMessage(Level = LogLevel.Warning, Message = "status write for {Workload} failed again ({Error}); will retry")]
    private static partial void LogWriteRetryFailed(ILogger logger, string workload, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "recording event {Reason} for {Workload} failed ({Error})")]
    private static partial void LogEventFailed(ILogger logger, string workload, string reason, string error);
}
