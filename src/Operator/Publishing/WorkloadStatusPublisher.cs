using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Publishing;

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
    private WorkloadFacts? _facts;
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

    /// <summary>
    /// What changed while no operator watched this workload, judged against the status it had when this replica first
    /// saw it: the spec (observedGeneration) or the credentials Secrets (observedCredentialsRevision). A status written
    /// before these fields existed counts as unchanged.
    /// </summary>
    public (bool Spec, bool Credentials) ChangedSinceLastOwner(long? generation, string? credentialsRevision) => (
        _persistedGeneration is { } seen && generation is { } now && seen != now,
        _persistedCredentialsRevision is { } revision && credentialsRevision is not null && revision != credentialsRevision);

    /// <summary>Writes the current facts again if the status they compose to changed (a new observedGeneration or
    /// credentials revision after a spec or Secret change that is no transition).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_facts is not null || _current is not null)
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

        await PublishAsync(ToFacts(update.Status), update.Event, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the facts (and records <paramref name="event"/> after a successful write of a change).</summary>
    public async Task PublishAsync(WorkloadFacts facts, MonitorEvent? @event, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _facts = facts;
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
            var delay = TimeSpan.FromSeconds(2);
            try
            {
                while (_pendingWrite && !_lifetime.IsCancellationRequested)
                {
                    await Task.Delay(delay, _lifetime.Token).ConfigureAwait(false);
                    delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
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

    /// <summary>The engine's view of the persisted status, to resume a monitor after restart or failover.</summary>
    public MonitorResumeState ResumeState() => _current is not { Phase: { } phase } status
        ? MonitorResumeState.Fresh
        : new MonitorResumeState
        {
            Phase = phase,
            Reason = status.Reason,
            Message = status.Message,
            AuthRetryStartedAt = Utc(status.AuthRetry?.StartedAt),
            AuthRetryDeadline = Utc(status.AuthRetry?.Deadline),
            NextAttemptTime = Utc(status.AuthRetry?.NextAttemptTime),
            LastAttemptTime = Utc(status.AuthRetry?.LastAttemptTime),
            Attempts = status.AuthRetry?.Attempts ?? 0,
            LastError = status.AuthRetry?.LastError,
            TokenExpiresAt = Utc(status.Token?.ExpiresAt),
            LastRefreshTime = Utc(status.Token?.LastRefreshTime),
            NextRefreshTime = Utc(status.Token?.NextRefreshTime),
        };

    private async Task<bool> WriteLockedAsync(CancellationToken cancellationToken)
    {
        var facts = _facts ?? FactsFrom(_current!);
        var desired = StatusComposer.Compose(_current, facts, _generation, _lastHandledRetryRequest, _time.GetUtcNow(), CredentialsRevision);
        if (StatusComposer.SameAs(_current, desired))
        {
            return false;
        }

        var before = _current?.Phase;
        if (!await _writer.WriteAsync(Workload, _current, desired, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var wasExpiring = IsRefreshTokenExpiring(_current);
        _current = desired;
        Transitioned?.Invoke(before, desired.Phase ?? WorkloadPhase.Pending);
        if (!wasExpiring && IsRefreshTokenExpiring(desired))
        {
            // Once per turn to True: a person has to re-authorise the client before the refresh token ends.
            var condition = desired.Conditions!.First(c => c.Type == ConditionTypes.RefreshTokenExpiring);
            await RecordAsync(new MonitorEvent(MonitorEventType.Warning, Reasons.RefreshTokenExpiring, condition.Message), cancellationToken).ConfigureAwait(false);
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

    private WorkloadFacts ToFacts(MonitorStatus status) => new(
        status.Phase,
        status.Reason,
        status.Message,
        status.Token.ExpiresAt is null && status.Token.LastRefreshTime is null
            ? null
            : new TokenStatus
            {
                SecretName = TokenSecretName,
                ExpiresAt = status.Token.ExpiresAt?.UtcDateTime,
                RefreshTokenExpiresAt = status.Token.RefreshTokenExpiresAt?.UtcDateTime,
                LastRefreshTime = status.Token.LastRefreshTime?.UtcDateTime,
                NextRefreshTime = status.Token.NextRefreshTime?.UtcDateTime,
            },
        status.AuthRetry is not { } retry ? null : new AuthRetryStatus
        {
            StartedAt = retry.StartedAt.UtcDateTime,
            Deadline = retry.Deadline.UtcDateTime,
            Attempts = retry.Attempts,
            LastAttemptTime = retry.LastAttemptTime?.UtcDateTime,
            NextAttemptTime = retry.NextAttemptTime?.UtcDateTime,
            LastError = retry.LastError,
        },
        status.AuthRetrying.Status ? status.AuthRetrying.Message : null,
        status.DiscoveredIssuer is { } issuer ? new DiscoveredAuthorizationServer { Issuer = issuer, TokenEndpoint = status.DiscoveredTokenEndpoint?.AbsoluteUri } : null);

    private WorkloadFacts FactsFrom(RemoteWorkloadStatus status) => new(
        status.Phase ?? WorkloadPhase.Pending,
        status.Reason ?? Reasons.Refreshing,
        status.Message ?? "",
        status.Token,
        status.AuthRetry,
        status.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.AuthRetrying && c.Status == "True")?.Message,
        status.AuthorizationServer);

    private static bool IsRefreshTokenExpiring(RemoteWorkloadStatus? status) =>
        status?.Conditions?.Any(c => c.Type == ConditionTypes.RefreshTokenExpiring && c.Status == "True") == true;

    private static DateTimeOffset? Utc(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc)) : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "status write for {Workload} failed again ({Error}); will retry")]
    private static partial void LogWriteRetryFailed(ILogger logger, string workload, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "recording event {Reason} for {Workload} failed ({Error})")]
    private static partial void LogEventFailed(ILogger logger, string workload, string reason, string error);
}
