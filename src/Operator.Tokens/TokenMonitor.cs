using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// The token monitor of one workload. The state table lives in <see cref="TokenTransitions"/>; this class keeps the
/// threading, the timers and the I/O around it: single flight (one attempt or short retry at a time, triggers that
/// arrive meanwhile coalesce into one follow-up), the short retry (Polly), the AuthRetrying tick and deadline timers,
/// and the stop rules. It owns no thread: while idle it is an object and an <see cref="ITimer"/>.
/// </summary>
/// <remarks>
/// Stopping cancels waits, never a sent request: once a token request has been sent, it and the persistence of what
/// it returned (a rotated refresh token) run to completion under <see cref="MonitorTiming.FlightGrace"/>, because the
/// IdP completes a refresh even when the client hangs up, and the refresh token the request presented is then spent.
/// </remarks>
public sealed partial class TokenMonitor : IAsyncDisposable
{
    /// <summary>.NET timers reject due times over ~49.7 days; every timer is armed for at most this long and re-armed.</summary>
    internal static readonly TimeSpan MaxTimerDue = TimeSpan.FromDays(1);

    /// <summary>The longest wait between store attempts of a rotation a stopping monitor still holds.</summary>
    internal static readonly TimeSpan FinalStoreMaxWait = TimeSpan.FromSeconds(5);

    /// <summary>How long the status write that reports an unstored rotation may take after the grace.</summary>
    internal static readonly TimeSpan FinalStatusWriteBound = TimeSpan.FromSeconds(5);

    private readonly TokenMonitorConfig _config;
    private readonly ITokenEndpointClient _tokenClient;
    private readonly TokenMonitorPorts _ports;
    private readonly TimeProvider _time;
    private readonly IJitterSource _jitter;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();

    /// <summary>Cancels waits and backoff (and reads that precede a request) when the monitor stops.</summary>
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Cancels a sent request and its persistence only once the grace bound after a stop has passed.</summary>
    private readonly CancellationTokenSource _flight = new();

    private MonitorState _state = MonitorState.Initial;
    private ITimer? _timer;
    private ITimer? _deadlineTimer;
    private ITimer? _graceTimer;
    private ScheduledWork _scheduled;
    private DateTimeOffset? _deadline;
    private DateTimeOffset _startedAt;
    private DateTimeOffset _fence;
    private bool _started;
    private bool _stopped;
    private bool _inFlight;
    private bool _rerun;
    private bool _reReadAfterInvalidGrant;
    private int _flightAttempts;
    private TaskCompletionSource? _idle;
    private Task? _stopping;
    private RotatedRefreshToken? _unpersisted;

    /// <summary>Creates a monitor; nothing happens until <see cref="Start"/>.</summary>
    public TokenMonitor(TokenMonitorConfig config, ITokenEndpointClient tokenClient, TokenMonitorPorts ports, TimeProvider timeProvider, IJitterSource? jitter = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tokenClient);
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _config = config;
        _tokenClient = tokenClient;
        _ports = ports;
        _time = timeProvider;
        _jitter = jitter ?? RandomJitterSource.Instance;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The workload this monitor serves.</summary>
    public TokenMonitorConfig Config => _config;

    /// <summary>The current phase.</summary>
    public WorkloadPhase Phase
    {
        get
        {
            lock (_gate)
            {
                return _state.Phase;
            }
        }
    }

    /// <summary>The current complete status (what the last write said, or what it would say).</summary>
    public MonitorStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _state.ToStatus();
            }
        }
    }

    /// <summary>
    /// Starts from the persisted <paramref name="resume"/> state (see <see cref="TokenTransitions.Resume"/>). Writes no
    /// status by itself, except when the resumed status differs from the persisted one (a changed ceiling moved the
    /// deadline). With a refresh-token grant, no request is sent before <paramref name="refreshTokenFence"/>: a
    /// previous owner of this workload may still be finishing a request that rotates the refresh token.
    /// </summary>
    public void Start(MonitorStatus? resume = null, DateTimeOffset? refreshTokenFence = null)
    {
        resume ??= MonitorStatus.Fresh;
        var runNow = MonitorWork.None;
        StatusUpdate? moved;
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException("The monitor was already started.");
            }

            _started = true;
            var now = _time.GetUtcNow();
            _startedAt = now;
            _fence = _config.Grant == GrantType.RefreshToken && refreshTokenFence is { } fence ? fence : DateTimeOffset.MinValue;
            var timing = _config.Timing;
            var startupJitter = _jitter.NextDouble();
            var result = TokenTransitions.Resume(
                resume,
                now,
                _config,
                () => timing.StartupPacer?.Slot(now, timing.StartupSpread, startupJitter) ?? now + TokenSchedule.StartupDelay(timing.StartupSpread, startupJitter),
                startupJitter,
                _jitter.NextDouble());
            moved = result.Update;
            runNow = AdoptNoLock(result, now);
            if (runNow != MonitorWork.None)
            {
                BeginFlightNoLock();
            }
        }

        LogStarted(_logger, _config.WorkloadKey, resume.Phase);
        if (moved is not null)
        {
            _ = WriteStatusAsync(moved);
        }

        if (runNow != MonitorWork.None)
        {
            _ = RunFlightAsync(runNow);
        }
    }

    /// <summary>The credentials Secret changed: one immediate attempt with a fresh short retry from Pending,
    /// Unauthenticated or Failed; during AuthRetrying it brings the next tick forward (the deadline stays); in Running
    /// the next refresh uses them. A change during a flight re-runs after it unless the flight ended in Running.</summary>
    public void CredentialsChanged() => Trigger(retryRequested: false);

    /// <summary>A new <c>retry-requested-at</c> value or a spec change: like <see cref="CredentialsChanged"/>, and in
    /// Running it refreshes now.</summary>
    public void RetryRequested() => Trigger(retryRequested: true);

    /// <summary>Completes when no attempt is in flight (for tests, benchmarks and orderly shutdown).</summary>
    public Task WhenIdleAsync()
    {
        lock (_gate)
        {
            return _idle?.Task ?? Task.CompletedTask;
        }
    }

    /// <summary>
    /// Stops quietly (workload deleted, leadership lost, shutdown) and writes no status: the next owner resumes from the
    /// persisted one. Waits and backoff are cancelled at once; a token request already sent and the persistence of its
    /// rotated refresh token finish first, bounded by <see cref="MonitorTiming.FlightGrace"/>. A rotated refresh token
    /// still held only in memory (its write failed) gets further store attempts within the same grace; if none lands,
    /// the monitor logs an Error and reports <see cref="StatusUpdateKind.RotationUnstored"/>. Completes when all that is
    /// done, so whoever awaits the stop (the Lease release) comes after it.
    /// </summary>
    public async Task StopAsync()
    {
        Task idle;
        var finalStore = false;
        lock (_gate)
        {
            if (_stopped)
            {
                idle = _stopping ?? _idle?.Task ?? Task.CompletedTask;
            }
            else
            {
                _stopped = true;
                _scheduled = ScheduledWork.None;
                _timer?.Dispose();
                _timer = null;
                _deadlineTimer?.Dispose();
                _deadlineTimer = null;
                idle = _idle?.Task ?? Task.CompletedTask;
                if (!idle.IsCompleted || _unpersisted is not null)
                {
                    _graceTimer = _time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), _flight, _config.Timing.FlightGrace, Timeout.InfiniteTimeSpan);
                }

                finalStore = true;
            }
        }

        if (!finalStore)
        {
            await idle.ConfigureAwait(false);
            return;
        }

        var stopping = StopInFlightAndStoreAsync(idle);
        lock (_gate)
        {
            _stopping = stopping;
        }

        await stopping.ConfigureAwait(false);
    }

    private async Task StopInFlightAndStoreAsync(Task idle)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await idle.ConfigureAwait(false);
        await StoreBeforeStoppingAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _graceTimer?.Dispose();
            _graceTimer = null;
        }

        LogStopped(_logger, _config.WorkloadKey);
    }

    /// <summary>
    /// The last chance of a rotated refresh token held only in memory: the IdP spent the one the state Secret holds, so
    /// once this process ends nobody can present the live one. Store attempts continue (1 s, 2 s, 4 s, then every 5 s)
    /// until one lands or the grace ends.
    /// </summary>
    private async Task StoreBeforeStoppingAsync()
    {
        var wait = TimeSpan.FromSeconds(1);
        while (true)
        {
            RotatedRefreshToken? pending;
            lock (_gate)
            {
                pending = _unpersisted;
            }

            if (pending is null)
            {
                return;
            }

            try
            {
                _flight.Token.ThrowIfCancellationRequested();
                await _ports.RotatedRefreshTokens.StoreAsync(pending, _flight.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    if (ReferenceEquals(_unpersisted, pending))
                    {
                        _unpersisted = null;
                    }
                }

                return;
            }
            catch (OperationCanceledException) when (_flight.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // Any failure of the port is retried within the grace; its type is logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogPortFailed(_logger, _config.WorkloadKey, "rotated refresh token sink", ex.GetType().Name);
            }

            try
            {
                await Task.Delay(wait, _time, _flight.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_flight.IsCancellationRequested)
            {
                break;
            }

            wait = wait * 2 > FinalStoreMaxWait ? FinalStoreMaxWait : wait * 2;
        }

        await ReportUnstoredRotationAsync().ConfigureAwait(false);
    }

    /// <summary>Says loudly (an Error log, the RotationUnstored condition and Event) that a rotation is lost, never the token.</summary>
    private async Task ReportUnstoredRotationAsync()
    {
        LogRotationUnstored(_logger, _config.WorkloadKey, _config.Timing.FlightGrace);
        StatusUpdate update;
        lock (_gate)
        {
            _state = _state with { RotationUnstoredAt = _time.GetUtcNow() };
            update = new StatusUpdate(StatusUpdateKind.RotationUnstored, _state.ToStatus(), new MonitorEvent(MonitorEventType.Warning, Reasons.RotationUnstored, RetryMessages.RotationUnstored));
        }

        // The stop token is cancelled by now; this one write gets a bound of its own so a hung API server cannot hold
        // the stop (and the Lease) forever.
        using var bound = new CancellationTokenSource(FinalStatusWriteBound, _time);
        try
        {
            await _ports.Status.WriteAsync(update, bound.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The Error log above already said it; a status port failure adds only its type.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogPortFailed(_logger, _config.WorkloadKey, "status sink", ex.GetType().Name);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
        _flight.Dispose();
    }

    private void Trigger(bool retryRequested)
    {
        MonitorWork work;
        lock (_gate)
        {
            if (!_started || _stopped)
            {
                return;
            }

            if (_inFlight)
            {
                // Whatever the flight ends in, this trigger is looked at again after it.
                _rerun = true;
                return;
            }

            work = TokenTransitions.WorkFor(_state.Phase, retryRequested);
            if (work == MonitorWork.None)
            {
                return;
            }

            if (!BeginOrFenceNoLock(work, _time.GetUtcNow()))
            {
                return;
            }
        }

        _ = RunFlightAsync(work);
    }

    private void OnTimer()
    {
        MonitorWork work;
        lock (_gate)
        {
            if (_stopped || _inFlight || _scheduled.Work == MonitorWork.None)
            {
                return;
            }

            var now = _time.GetUtcNow();
            if (now < _scheduled.At)
            {
                // An early callback: one queued before the work was rescheduled, or a capped long wait. Re-arm.
                ArmNoLock(ref _timer, static s => ((TokenMonitor)s!).OnTimer(), _scheduled.At - now);
                return;
            }

            work = _scheduled.Work;
            BeginFlightNoLock();
        }

        _ = RunFlightAsync(work);
    }

    private void OnDeadline()
    {
        lock (_gate)
        {
            if (_stopped || _inFlight || _state.Phase != WorkloadPhase.AuthRetrying || _deadline is not { } deadline)
            {
                return;
            }

            var now = _time.GetUtcNow();
            if (now < deadline)
            {
                ArmNoLock(ref _deadlineTimer, static s => ((TokenMonitor)s!).OnDeadline(), deadline - now);
                return;
            }

            if (!BeginOrFenceNoLock(MonitorWork.Tick, now))
            {
                return;
            }
        }

        _ = RunFlightAsync(MonitorWork.Tick);
    }

    /// <summary>
    /// Begins a flight for <paramref name="work"/> now, or, before the takeover fence, schedules it at the fence and
    /// returns false: every path that sends a refresh-token request passes here or through <see cref="ScheduleNoLock"/>.
    /// </summary>
    private bool BeginOrFenceNoLock(MonitorWork work, DateTimeOffset now)
    {
        if (now < _fence)
        {
            _ = ScheduleNoLock(new ScheduledWork(work, _fence), now);
            return false;
        }

        BeginFlightNoLock();
        return true;
    }

    /// <summary>Takes a transition's state and schedule; returns work that is already due (the caller runs it).</summary>
    private MonitorWork AdoptNoLock(TransitionResult result, DateTimeOffset now)
    {
        _state = result.State;
        _deadline = result.Deadline;
        if (result.Deadline is { } deadline && deadline > now)
        {
            ArmNoLock(ref _deadlineTimer, static s => ((TokenMonitor)s!).OnDeadline(), deadline - now);
        }
        else
        {
            _deadlineTimer?.Dispose();
            _deadlineTimer = null;
        }

        return ScheduleNoLock(result.Next, now);
    }

    /// <summary>
    /// Records <paramref name="work"/> and arms the timer. When it is already due, returns it so the caller can run it
    /// at once; a flight that schedules due work runs it before going idle.
    /// </summary>
    private MonitorWork ScheduleNoLock(ScheduledWork work, DateTimeOffset now)
    {
        if (work.Work != MonitorWork.None && work.At < _fence)
        {
            work = work with { At = _fence };
        }

        _scheduled = work;
        if (work.Work == MonitorWork.None)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return MonitorWork.None;
        }

        var due = work.At - now;
        if (due <= TimeSpan.Zero)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return work.Work;
        }

        ArmNoLock(ref _timer, static s => ((TokenMonitor)s!).OnTimer(), due);
        return MonitorWork.None;
    }

    /// <summary>Arms <paramref name="timer"/> for <paramref name="due"/>, capped at <see cref="MaxTimerDue"/> (the callback re-arms).</summary>
    private void ArmNoLock(ref ITimer? timer, TimerCallback callback, TimeSpan due)
    {
        timer ??= _time.CreateTimer(callback, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(due > MaxTimerDue ? MaxTimerDue : due, Timeout.InfiniteTimeSpan);
    }

    private void BeginFlightNoLock()
    {
        _inFlight = true;
        _rerun = false;
        _flightAttempts = 0;
        _scheduled = ScheduledWork.None;
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task RunFlightAsync(MonitorWork work)
    {
        while (true)
        {
            try
            {
                var outcome = work is MonitorWork.Tick or MonitorWork.Probe
                    ? await AttemptAsync().ConfigureAwait(false)
                    : await ShortRetryAsync().ConfigureAwait(false);
                StatusUpdate? update = null;
                lock (_gate)
                {
                    if (!_stopped)
                    {
                        var now = _time.GetUtcNow();
                        var result = TokenTransitions.Apply(_state, work, outcome, _flightAttempts, now, _config, _jitter.NextDouble());
                        _ = AdoptNoLock(result, now);
                        update = result.Update;
                    }
                }

                if (update is not null)
                {
                    if (update.Kind == StatusUpdateKind.Transition)
                    {
                        LogTransition(_logger, _config.WorkloadKey, update.Status.Phase, update.Status.Reason);
                    }

                    await WriteStatusAsync(update).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Quiet stop: not a failure, no phase change, no status write.
            }
#pragma warning disable CA1031 // A monitor must never die: anything unexpected is logged and retried later.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogFlightCrashed(_logger, _config.WorkloadKey, ex.GetType().Name);
                lock (_gate)
                {
                    if (!_stopped)
                    {
                        var now = _time.GetUtcNow();
                        // A probe keeps its slow cadence even when this process, not the IdP, failed.
                        var retryIn = work == MonitorWork.Probe ? _config.Timing.Retry.ProbeInterval : _config.Timing.Retry.InitialInterval;
                        _ = ScheduleNoLock(new ScheduledWork(work, now + retryIn), now);
                    }
                }
            }

            TaskCompletionSource? idle;
            lock (_gate)
            {
                if (!_stopped && _rerun && _state.Phase != WorkloadPhase.Running)
                {
                    // Triggers that arrived during the flight were coalesced into this one follow-up attempt.
                    work = _state.Phase == WorkloadPhase.AuthRetrying ? MonitorWork.Tick : MonitorWork.Initial;
                    _rerun = false;
                    if (BeginOrFenceNoLock(work, _time.GetUtcNow()))
                    {
                        continue;
                    }
                }

                if (!_stopped && _scheduled.Work != MonitorWork.None && _scheduled.At <= _time.GetUtcNow())
                {
                    // The timer came due (or fired) while this flight was still finishing: run it now, not never.
                    work = _scheduled.Work;
                    BeginFlightNoLock();
                    continue;
                }

                _inFlight = false;
                _rerun = false;
                idle = _idle;
                _idle = null;
            }

            idle?.TrySetResult();
            return;
        }
    }

    /// <summary>
    /// One attempt: read the credentials, send the token request, persist a rotated refresh token, publish the access
    /// token. Until the request is sent, a stop cancels everything; from then on the request and the persistence run
    /// under the grace bound, and only the publication (a write that a stopped monitor leaves to the next owner) is
    /// skipped after a stop.
    /// </summary>
    private async ValueTask<AttemptOutcome> AttemptAsync()
    {
        lock (_gate)
        {
            _flightAttempts++;
        }

        var stopToken = _stop.Token;
        var credentials = await ReadCredentialsAsync(stopToken).ConfigureAwait(false);
        if (credentials.Outcome is { } unavailable)
        {
            return unavailable;
        }

        var effective = WithUnpersisted(credentials.Value!);
        if (await PersistUnpersistedAsync(effective).ConfigureAwait(false) is { } stillUnpersisted)
        {
            return stillUnpersisted;
        }

        stopToken.ThrowIfCancellationRequested();
        // A stop cancels a request still waiting for its turn at the IdP's rate limit, never one already sent.
        PreSendWaits.CancelledBy(stopToken);
        var result = await _tokenClient.RequestTokenAsync(_config, effective, _flight.Token).ConfigureAwait(false);
        if (result.Failure is { ErrorCode: "invalid_grant" } && await ReReadAfterInvalidGrantAsync(effective).ConfigureAwait(false) is { } fresher)
        {
            // A previous owner may have stored a rotation after this monitor read the credentials: present that once.
            effective = fresher;
            result = await _tokenClient.RequestTokenAsync(_config, effective, _flight.Token).ConfigureAwait(false);
        }

        // Stored before the result is judged: a 2xx the client could not use may still have rotated the refresh token.
        if (result.IssuedRefreshToken is { } rotated && !string.Equals(rotated, effective.RefreshToken, StringComparison.Ordinal))
        {
            var successor = new RotatedRefreshToken(rotated, Lineage(effective));
            lock (_gate)
            {
                _unpersisted = successor;
            }

            if (await PersistUnpersistedAsync(effective).ConfigureAwait(false) is { } failed)
            {
                return failed;
            }
        }

        if (result.Failure is { } failure)
        {
            return AttemptOutcome.Failed(failure, effective.Version);
        }

        var grant = result.Grant ?? throw new InvalidOperationException("A token result has neither a grant nor a failure.");
        if (stopToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(stopToken);
        }

        try
        {
            await _ports.Publisher.PublishAsync(new PublishedToken(grant.AccessToken, grant.TokenType, grant.IssuedAt, grant.ExpiresAt, grant.Scope) { TokenBinding = grant.TokenBinding }, stopToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsOwnStop(ex))
        {
            LogPortFailed(_logger, _config.WorkloadKey, "token publisher", ex.GetType().Name);
            return AttemptOutcome.Failed(LocalFailure("the access token could not be published"), effective.Version);
        }

        return AttemptOutcome.Succeeded(grant, effective.Version);
    }

    private async ValueTask<(MonitorCredentials? Value, AttemptOutcome? Outcome)> ReadCredentialsAsync(CancellationToken stopToken)
    {
        try
        {
            var credentials = await _ports.Credentials.GetAsync(stopToken).ConfigureAwait(false);
            return credentials.MissingFor(_config) is { } missing
                ? (null, AttemptOutcome.Missing(missing.Reason, missing.Message))
                : (credentials, null);
        }
        catch (CredentialsUnavailableException ex)
        {
            return (null, AttemptOutcome.Missing(ex.Reason, Sanitizer.Clean(ex.Message)));
        }
        catch (Exception ex) when (!IsOwnStop(ex))
        {
            LogPortFailed(_logger, _config.WorkloadKey, "credentials source", ex.GetType().Name);
            return (null, AttemptOutcome.Failed(LocalFailure("credentials could not be read"), null));
        }
    }

    /// <summary>
    /// Writes a rotated refresh token that is held only in memory until it lands (under the grace bound, not the stop
    /// token). Returns a failed outcome while it could not be written: no further request is sent before it is, so the
    /// live refresh token always exists somewhere outside this process. A token of another lineage (a person replaced
    /// the input) is dropped.
    /// </summary>
    private async ValueTask<AttemptOutcome?> PersistUnpersistedAsync(MonitorCredentials credentials)
    {
        RotatedRefreshToken? pending;
        lock (_gate)
        {
            pending = _unpersisted;
            if (pending is not null && pending.DescendsFrom != Lineage(credentials))
            {
                _unpersisted = pending = null;
            }
        }

        if (pending is null)
        {
            return null;
        }

        try
        {
            await _ports.RotatedRefreshTokens.StoreAsync(pending, _flight.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && _flight.IsCancellationRequested))
        {
            LogPortFailed(_logger, _config.WorkloadKey, "rotated refresh token sink", ex.GetType().Name);
            return AttemptOutcome.Failed(LocalFailure("the rotated refresh token could not be stored; the access token was not published"), credentials.Version);
        }

        lock (_gate)
        {
            if (ReferenceEquals(_unpersisted, pending))
            {
                _unpersisted = null;
            }
        }

        return null;
    }

    private MonitorCredentials WithUnpersisted(MonitorCredentials credentials)
    {
        lock (_gate)
        {
            return _unpersisted is { } held && held.DescendsFrom == Lineage(credentials)
                ? credentials with { RefreshToken = held.RefreshToken }
                : credentials;
        }
    }

    /// <summary>
    /// Within the grace bound after start, an <c>invalid_grant</c> may mean the previous owner stored a rotated token
    /// after this monitor read its credentials: re-read once and return them if the refresh token changed.
    /// </summary>
    private async ValueTask<MonitorCredentials?> ReReadAfterInvalidGrantAsync(MonitorCredentials presented)
    {
        lock (_gate)
        {
            if (_config.Grant != GrantType.RefreshToken || _reReadAfterInvalidGrant || _time.GetUtcNow() - _startedAt > _config.Timing.FlightGrace)
            {
                return null;
            }

            _reReadAfterInvalidGrant = true;
        }

        var reread = await ReadCredentialsAsync(_stop.Token).ConfigureAwait(false);
        return reread.Value is { } fresh && !string.Equals(fresh.RefreshToken, presented.RefreshToken, StringComparison.Ordinal) ? fresh : null;
    }

    private async Task WriteStatusAsync(StatusUpdate update)
    {
        try
        {
            await _ports.Status.WriteAsync(update, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsOwnStop(ex))
        {
            LogPortFailed(_logger, _config.WorkloadKey, "status sink", ex.GetType().Name);
        }
    }

    /// <summary>The refresh token lineage of <paramref name="credentials"/>: what a rotated token descends from.</summary>
    private static string Lineage(MonitorCredentials credentials) => credentials.Lineage ?? credentials.Version;

    private bool IsOwnStop(Exception ex) => ex is OperationCanceledException && _stop.IsCancellationRequested;

    private static TokenFailure LocalFailure(string description) =>
        new(FailureClass.Transient, FailureKind.Local, Reasons.TokenEndpointUnavailable, description);

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Token monitor {Workload} started in {Phase}")]
    private static partial void LogStarted(ILogger logger, string workload, WorkloadPhase phase);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Token monitor {Workload} stopped")]
    private static partial void LogStopped(ILogger logger, string workload);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Token request for {Workload} failed (attempt {Attempt}); retrying in {Delay}: {Error}")]
    private static partial void LogShortRetry(ILogger logger, string workload, int attempt, TimeSpan delay, string error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Workload {Workload} is now {Phase} ({Reason})")]
    private static partial void LogTransition(ILogger logger, string workload, WorkloadPhase phase, string reason);

    // Exceptions are logged by type only: a Kubernetes client exception carries the request, whose body can hold a token.
    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "The {Port} failed for {Workload} ({ErrorType})")]
    private static partial void LogPortFailed(ILogger logger, string workload, string port, string errorType);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "The rotated refresh token of {Workload} could not be stored in its state Secret within the stop's grace of {Grace}; the stored refresh token is spent and the next refresh will probably be refused (invalid_grant)")]
    private static partial void LogRotationUnstored(ILogger logger, string workload, TimeSpan grace);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Unexpected error in the token monitor of {Workload} ({ErrorType}); retrying later")]
    private static partial void LogFlightCrashed(ILogger logger, string workload, string errorType);
}
