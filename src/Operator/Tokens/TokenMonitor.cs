using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// The token monitor of one workload: spec sections 1 and 3. It keeps the workload's phase, obtains and refreshes the
/// access token, runs the short retry (Polly) and AuthRetrying (one jittered tick, a deadline timer), and reports
/// each transition once to <see cref="IStatusSink"/>. It owns no thread: while idle it is an object and an
/// <see cref="ITimer"/>. At most one attempt is in flight (single flight); triggers that arrive meanwhile coalesce.
/// </summary>
public sealed partial class TokenMonitor : IAsyncDisposable
{
    private readonly TokenMonitorConfig _config;
    private readonly TokenMonitorPorts _ports;
    private readonly TimeProvider _time;
    private readonly IJitterSource _jitter;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();

    private TokenPhase _phase = TokenPhase.Pending;
    private string _reason = TokenReasons.Pending;
    private string _message = "waiting for the first token";
    private DateTimeOffset? _expiresAt;
    private DateTimeOffset? _refreshTokenExpiresAt;
    private string? _discoveredIssuer;
    private Uri? _discoveredTokenEndpoint;
    private DateTimeOffset? _lastRefresh;
    private DateTimeOffset? _nextRefresh;
    private AuthRetryInfo? _authRetry;
    private TokenFailure? _lastFailure;
    private DateTimeOffset _readySince;
    private DateTimeOffset _retryingSince;

    private ITimer? _timer;
    private ITimer? _deadlineTimer;
    private Work _scheduled;
    private DateTimeOffset _scheduledAt;
    private CancellationTokenSource? _stop;
    private bool _started;
    private bool _stopped;
    private bool _inFlight;
    private bool _rerun;
    private int _flightAttempts;
    private TaskCompletionSource? _idle;
    private string? _pendingRotated;
    private string? _pendingRotatedVersion;
    private HashSet<string>? _remediationsSent;

    /// <summary>Creates a monitor; nothing happens until <see cref="Start"/>.</summary>
    public TokenMonitor(TokenMonitorConfig config, TokenMonitorPorts ports, TimeProvider timeProvider, IJitterSource? jitter = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _config = config;
        _ports = ports;
        _time = timeProvider;
        _jitter = jitter ?? RandomJitterSource.Instance;
        _logger = logger ?? NullLogger.Instance;
    }

    private enum Work : byte
    {
        None,
        Initial,
        Refresh,
        Tick,
    }

    /// <summary>The workload this monitor serves.</summary>
    public TokenMonitorConfig Config => _config;

    /// <summary>The current phase.</summary>
    public TokenPhase Phase
    {
        get
        {
            lock (_gate)
            {
                return _phase;
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
                return Snapshot();
            }
        }
    }

    /// <summary>
    /// Starts from the persisted <paramref name="resume"/> state: AuthRetrying keeps its startedAt and deadline and
    /// waits for nextAttemptTime; Running with a valid token waits for its refresh time; immediate attempts are spread
    /// over <see cref="MonitorTiming.StartupSpread"/>. Writes no status by itself.
    /// </summary>
    public void Start(MonitorResumeState? resume = null)
    {
        resume ??= MonitorResumeState.Fresh;
        var runNow = Work.None;
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException("The monitor was already started.");
            }

            _started = true;
            _stop = new CancellationTokenSource();
            var now = _time.GetUtcNow();
            var timing = _config.Timing;
            var startAt = now + TokenSchedule.StartupDelay(timing.StartupSpread, _jitter.NextDouble());

            _phase = resume.Phase;
            _reason = resume.Reason ?? DefaultReason(resume.Phase);
            _message = resume.Message ?? _message;
            _expiresAt = resume.TokenExpiresAt;
            _lastRefresh = resume.LastRefreshTime;
            _nextRefresh = resume.NextRefreshTime;
            _readySince = now;
            _retryingSince = now;

            switch (resume.Phase)
            {
                case TokenPhase.Pending:
                    runNow = ScheduleNoLock(Work.Initial, startAt, now);
                    break;
                case TokenPhase.Running:
                    var due = startAt;
                    if (_expiresAt is { } expiry && expiry > now)
                    {
                        var planned = _nextRefresh ?? TokenSchedule.NextRefresh(_lastRefresh ?? now, expiry, now, timing.Refresh, timing.Retry.TickInterval, _jitter.NextDouble());
                        due = planned > now ? planned : startAt;
                    }
                    else if (_expiresAt is null && _nextRefresh is { } next && next > now)
                    {
                        due = next;
                    }

                    _nextRefresh = due;
                    runNow = ScheduleNoLock(Work.Refresh, due, now);
                    break;
                case TokenPhase.AuthRetrying:
                    var startedAt = resume.AuthRetryStartedAt ?? now;
                    var deadline = resume.AuthRetryDeadline ?? TokenSchedule.Deadline(startedAt, timing.Retry.Ceiling);
                    var nextAttempt = resume.NextAttemptTime is { } n && n > now ? (n < deadline ? n : deadline) : startAt;
                    if (nextAttempt < now)
                    {
                        nextAttempt = now;
                    }

                    _authRetry = new AuthRetryInfo(startedAt, deadline, resume.Attempts, resume.LastAttemptTime, nextAttempt, resume.LastError);
                    _retryingSince = startedAt;
                    _nextRefresh = null;
                    ArmDeadlineNoLock(deadline, now);
                    runNow = ScheduleNoLock(Work.Tick, nextAttempt, now);
                    break;
                default:
                    // Unauthenticated and Failed idle until a trigger.
                    _nextRefresh = null;
                    break;
            }

            if (runNow != Work.None)
            {
                BeginFlightNoLock();
            }
        }

        LogStarted(_logger, _config.WorkloadKey, resume.Phase);
        if (runNow != Work.None)
        {
            _ = RunFlightAsync(runNow);
        }
    }

    /// <summary>The credentials Secret changed (section 1 row 9): one immediate attempt with a fresh short retry
    /// from Pending, Unauthenticated or Failed; during AuthRetrying it brings the next tick forward (the deadline stays).</summary>
    public void CredentialsChanged() => Trigger(retryRequested: false);

    /// <summary>A new <c>retry-requested-at</c> value or a spec change: like <see cref="CredentialsChanged"/>, and in
    /// Running it refreshes now.</summary>
    public void RetryRequested() => Trigger(retryRequested: true);

    /// <summary>
    /// A reconcile, resync or watch event. Never calls the token endpoint: it answers from the cached state (during
    /// AuthRetrying that is the fast-fail against the last error, <see cref="MonitorStatus.LastFailure"/>).
    /// </summary>
    public MonitorStatus Reconcile() => Status;

    /// <summary>Completes when no attempt is in flight (for tests, benchmarks and orderly shutdown).</summary>
    public Task WhenIdleAsync()
    {
        lock (_gate)
        {
            return _idle?.Task ?? Task.CompletedTask;
        }
    }

    /// <summary>Stops quietly (workload deleted, leadership lost): cancels the attempt in flight, disposes timers and
    /// writes no status. The next leader resumes from the persisted status.</summary>
    public async Task StopAsync()
    {
        Task idle;
        CancellationTokenSource? stop;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _scheduled = Work.None;
            _timer?.Dispose();
            _timer = null;
            _deadlineTimer?.Dispose();
            _deadlineTimer = null;
            stop = _stop;
            idle = _idle?.Task ?? Task.CompletedTask;
        }

        if (stop is not null)
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }

        await idle.ConfigureAwait(false);
        stop?.Dispose();
        LogStopped(_logger, _config.WorkloadKey);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>Whole-second RFC 3339 in UTC, as Kubernetes prints times, so messages match status timestamps.</summary>
    private static string Rfc3339(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static string DefaultReason(TokenPhase phase) => phase switch
    {
        TokenPhase.Running => TokenReasons.TokenIssued,
        TokenPhase.AuthRetrying => TokenReasons.TokenEndpointUnavailable,
        TokenPhase.Unauthenticated => TokenReasons.CredentialsRejected,
        _ => TokenReasons.Pending,
    };

    private void Trigger(bool retryRequested)
    {
        Work work;
        lock (_gate)
        {
            if (!_started || _stopped)
            {
                return;
            }

            work = _phase switch
            {
                TokenPhase.Running => retryRequested ? Work.Refresh : Work.None,
                TokenPhase.AuthRetrying => Work.Tick,
                _ => Work.Initial,
            };
            if (work == Work.None)
            {
                return;
            }

            if (_inFlight)
            {
                _rerun = true;
                return;
            }

            BeginFlightNoLock();
        }

        _ = RunFlightAsync(work);
    }

    private void OnTimer()
    {
        Work work;
        lock (_gate)
        {
            if (_stopped || _inFlight || _scheduled == Work.None)
            {
                return;
            }

            work = _scheduled;
            BeginFlightNoLock();
        }

        _ = RunFlightAsync(work);
    }

    private void OnDeadline()
    {
        lock (_gate)
        {
            if (_stopped || _inFlight || _phase != TokenPhase.AuthRetrying)
            {
                return;
            }

            BeginFlightNoLock();
        }

        _ = RunFlightAsync(Work.Tick);
    }

    /// <summary>
    /// Records <paramref name="work"/> as due at <paramref name="at"/> and arms the timer. When it is already due, returns
    /// it so the caller can run it at once; a flight that schedules due work runs it before going idle.
    /// </summary>
    private Work ScheduleNoLock(Work work, DateTimeOffset at, DateTimeOffset now)
    {
        _scheduled = work;
        _scheduledAt = at;
        var due = at - now;
        if (due <= TimeSpan.Zero)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return work;
        }

        _timer ??= _time.CreateTimer(static s => ((TokenMonitor)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(due, Timeout.InfiniteTimeSpan);
        return Work.None;
    }

    private void ArmDeadlineNoLock(DateTimeOffset deadline, DateTimeOffset now)
    {
        var due = deadline - now;
        if (due <= TimeSpan.Zero)
        {
            return;
        }

        _deadlineTimer ??= _time.CreateTimer(static s => ((TokenMonitor)s!).OnDeadline(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _deadlineTimer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private void DisarmNoLock()
    {
        _scheduled = Work.None;
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;
    }

    private void BeginFlightNoLock()
    {
        _inFlight = true;
        _rerun = false;
        _flightAttempts = 0;
        _scheduled = Work.None;
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task RunFlightAsync(Work work)
    {
        var stopToken = _stop!.Token;
        while (true)
        {
            try
            {
                var outcome = work == Work.Tick
                    ? await AttemptAsync(stopToken).ConfigureAwait(false)
                    : await ShortRetryAsync(stopToken).ConfigureAwait(false);
                StatusUpdate? update;
                lock (_gate)
                {
                    update = _stopped ? null : Apply(work, outcome);
                }

                if (update is not null)
                {
                    await WriteStatusAsync(update, stopToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
            {
                // Quiet stop: not a failure, no phase change, no status write.
            }
#pragma warning disable CA1031 // A monitor must never die: anything unexpected is logged and retried later.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogFlightCrashed(_logger, ex, _config.WorkloadKey);
                lock (_gate)
                {
                    if (!_stopped)
                    {
                        var retryAt = _time.GetUtcNow() + _config.Timing.Retry.InitialInterval;
                        _ = ScheduleNoLock(work, retryAt, _time.GetUtcNow());
                    }
                }
            }

            TaskCompletionSource? idle;
            lock (_gate)
            {
                if (!_stopped && _rerun && _phase != TokenPhase.Running)
                {
                    // Triggers that arrived during the flight were coalesced into this one follow-up attempt.
                    work = _phase == TokenPhase.AuthRetrying ? Work.Tick : Work.Initial;
                    BeginFlightNoLock();
                    continue;
                }

                if (!_stopped && _scheduled != Work.None && _scheduledAt <= _time.GetUtcNow())
                {
                    // The timer came due (or fired) while this flight was still finishing: run it now, not never.
                    work = _scheduled;
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

    private async ValueTask<AttemptOutcome> AttemptAsync(CancellationToken stopToken)
    {
        lock (_gate)
        {
            _flightAttempts++;
        }

        MonitorCredentials credentials;
        try
        {
            credentials = await _ports.Credentials.GetAsync(stopToken).ConfigureAwait(false);
        }
        catch (CredentialsUnavailableException ex)
        {
            return AttemptOutcome.Missing(ex.Reason, Sanitizer.Clean(ex.Message));
        }
        catch (Exception ex) when (!IsOwnStop(ex, stopToken))
        {
            LogPortFailed(_logger, ex, _config.WorkloadKey, "credentials source");
            return AttemptOutcome.Failed(LocalFailure("credentials could not be read"), null);
        }

        var effective = credentials;
        lock (_gate)
        {
            if (_pendingRotated is not null)
            {
                if (_pendingRotatedVersion == credentials.Version)
                {
                    effective = credentials with { RefreshToken = _pendingRotated };
                }
                else
                {
                    _pendingRotated = null;
                    _pendingRotatedVersion = null;
                }
            }
        }

        var result = await _ports.TokenClient.RequestTokenAsync(_config, effective, stopToken).ConfigureAwait(false);
        if (result.Failure is { } failure)
        {
            return AttemptOutcome.Failed(failure, credentials.Version);
        }

        var grant = result.Grant ?? throw new InvalidOperationException("A token result has neither a grant nor a failure.");
        if (grant.RefreshToken is { } rotated && !string.Equals(rotated, effective.RefreshToken, StringComparison.Ordinal))
        {
            lock (_gate)
            {
                _pendingRotated = rotated;
                _pendingRotatedVersion = credentials.Version;
            }

            try
            {
                await _ports.RotatedRefreshTokens.StoreAsync(new RotatedRefreshToken(rotated, credentials.Version), stopToken).ConfigureAwait(false);
                lock (_gate)
                {
                    if (ReferenceEquals(_pendingRotated, rotated))
                    {
                        _pendingRotated = null;
                        _pendingRotatedVersion = null;
                    }
                }
            }
            catch (Exception ex) when (!IsOwnStop(ex, stopToken))
            {
                LogPortFailed(_logger, ex, _config.WorkloadKey, "rotated refresh token sink");
                return AttemptOutcome.Failed(LocalFailure("the rotated refresh token could not be stored; the access token was not published"), credentials.Version);
            }
        }

        try
        {
            await _ports.Publisher.PublishAsync(new PublishedToken(grant.AccessToken, grant.TokenType, grant.IssuedAt, grant.ExpiresAt, grant.Scope), stopToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsOwnStop(ex, stopToken))
        {
            LogPortFailed(_logger, ex, _config.WorkloadKey, "token publisher");
            return AttemptOutcome.Failed(LocalFailure("the access token could not be published"), credentials.Version);
        }

        return AttemptOutcome.Succeeded(grant, credentials.Version);
    }

    private StatusUpdate? Apply(Work work, AttemptOutcome outcome)
    {
        var now = _time.GetUtcNow();
        var timing = _config.Timing;
        var previous = _phase;

        if (outcome.Grant is { } grant)
        {
            var previousTimes = (_expiresAt, _lastRefresh, _nextRefresh, _refreshTokenExpiresAt);
            _lastFailure = null;
            _expiresAt = grant.ExpiresAt;
            _refreshTokenExpiresAt = grant.RefreshTokenExpiresAt;
            _discoveredIssuer = grant.DiscoveredIssuer;
            _discoveredTokenEndpoint = grant.DiscoveredIssuer is null ? null : grant.TokenEndpoint;
            _lastRefresh = grant.IssuedAt;
            _nextRefresh = TokenSchedule.NextRefresh(grant.IssuedAt, grant.ExpiresAt, now, timing.Refresh, timing.Retry.TickInterval, _jitter.NextDouble());
            DisarmNoLock();
            _ = ScheduleNoLock(Work.Refresh, _nextRefresh.Value, now);
            if (previous == TokenPhase.Running)
            {
                // Row 2: token times only, and nothing at all when they did not change.
                return previousTimes == (_expiresAt, _lastRefresh, _nextRefresh, _refreshTokenExpiresAt) ? null : new StatusUpdate(StatusUpdateKind.TokenTimes, Snapshot(), null);
            }

            var validity = grant.ExpiresAt is { } e ? $"valid until {Rfc3339(e)}" : "without expiry; re-validated every tick interval";
            var recovered = previous == TokenPhase.AuthRetrying;
            var reason = recovered ? TokenReasons.Recovered : TokenReasons.TokenIssued;
            var message = recovered
                ? $"token endpoint answered again after {(_authRetry?.Attempts ?? 0) + 1} attempts; access token {validity}"
                : $"access token issued, {validity}";
            _authRetry = null;
            SetPhaseNoLock(TokenPhase.Running, reason, message, now);
            return Transition(new MonitorEvent(MonitorEventType.Normal, reason, message));
        }

        if (outcome.MissingReason is { } missingReason)
        {
            DisarmNoLock();
            _nextRefresh = null;
            var message = outcome.MissingMessage ?? "credentials are not available";
            if (previous == TokenPhase.Pending && _reason == missingReason && _message == message)
            {
                return null;
            }

            SetPhaseNoLock(TokenPhase.Pending, missingReason, message, now);
            return Transition(new MonitorEvent(MonitorEventType.Warning, missingReason, message));
        }

        var failure = outcome.Failure!;
        _lastFailure = failure;

        if (!failure.IsTransient)
        {
            DisarmNoLock();
            _nextRefresh = null;
            if (_authRetry is { } kept)
            {
                _authRetry = kept with
                {
                    Attempts = kept.Attempts + (work == Work.Tick ? 1 : _flightAttempts),
                    LastAttemptTime = now,
                    NextAttemptTime = null,
                    LastError = failure.Description,
                };
            }

            var message = failure.ErrorCode is { } code
                ? $"the IdP rejected the credentials with {code}: {failure.Description}"
                : failure.Description;
            MonitorEvent? ev = new(MonitorEventType.Warning, failure.Reason, message);
            if (failure.ErrorCode is { } errorCode && !string.IsNullOrEmpty(_config.ClientId))
            {
                // Section 2.3: the remediation hint at most once per distinct (code, credentials version).
                _remediationsSent ??= new HashSet<string>(StringComparer.Ordinal);
                ev = _remediationsSent.Add($"{errorCode}\n{outcome.CredentialsVersion}")
                    ? ev with
                    {
                        Message = $"{message}. The credentials of client '{_config.ClientId}' may be stale or revoked: update the credentials Secret, or annotate the workload with workloads.dev/retry-requested-at to try again.",
                    }
                    : null;
            }

            if (previous == TokenPhase.Unauthenticated && _reason == failure.Reason && _message == message)
            {
                return ev is null ? null : new StatusUpdate(StatusUpdateKind.EventOnly, Snapshot(), ev);
            }

            SetPhaseNoLock(TokenPhase.Unauthenticated, failure.Reason, message, now);
            return Transition(ev);
        }

        if (work == Work.Tick && _authRetry is { } retrying)
        {
            var attempts = retrying.Attempts + 1;
            if (now >= retrying.Deadline)
            {
                DisarmNoLock();
                _authRetry = retrying with { Attempts = attempts, LastAttemptTime = now, NextAttemptTime = null, LastError = failure.Description };
                var message = $"gave up at the deadline {retrying.Deadline:O} after {attempts} attempts; last error: {failure.Description}";
                SetPhaseNoLock(TokenPhase.Unauthenticated, TokenReasons.CeilingExceeded, message, now);
                return Transition(new MonitorEvent(MonitorEventType.Warning, TokenReasons.CeilingExceeded, message));
            }

            var next = TokenSchedule.NextTick(now, retrying.Deadline, timing.Retry.TickInterval, failure.RetryAfter, ValidExpiry(now), timing.PreExpiryLead, _jitter.NextDouble());
            _authRetry = retrying with { Attempts = attempts, LastAttemptTime = now, NextAttemptTime = next, LastError = failure.Description };
            _ = ScheduleNoLock(Work.Tick, next, now);
            return new StatusUpdate(StatusUpdateKind.RetryProgress, Snapshot(), null);
        }

        // The short retry is exhausted on a still-transient error: enter AuthRetrying (row 4).
        var deadline = TokenSchedule.Deadline(now, timing.Retry.Ceiling);
        var nextAttempt = TokenSchedule.NextTick(now, deadline, timing.Retry.TickInterval, failure.RetryAfter, ValidExpiry(now), timing.PreExpiryLead, _jitter.NextDouble());
        DisarmNoLock();
        _nextRefresh = null;
        _authRetry = new AuthRetryInfo(now, deadline, _flightAttempts, now, nextAttempt, failure.Description);
        var retryMessage = $"{failure.Description}; retrying every {Format(timing.Retry.TickInterval)} until {Rfc3339(deadline)}";
        SetPhaseNoLock(TokenPhase.AuthRetrying, TokenReasons.TokenEndpointUnavailable, retryMessage, now);
        ArmDeadlineNoLock(deadline, now);
        _ = ScheduleNoLock(Work.Tick, nextAttempt, now);
        return Transition(new MonitorEvent(MonitorEventType.Warning, TokenReasons.AuthRetrying, retryMessage));
    }

    private StatusUpdate Transition(MonitorEvent? ev)
    {
        LogTransition(_logger, _config.WorkloadKey, _phase, _reason);
        return new StatusUpdate(StatusUpdateKind.Transition, Snapshot(), ev);
    }

    private void SetPhaseNoLock(TokenPhase phase, string reason, string message, DateTimeOffset now)
    {
        if ((phase == TokenPhase.Running) != (_phase == TokenPhase.Running))
        {
            _readySince = now;
        }

        if ((phase == TokenPhase.AuthRetrying) != (_phase == TokenPhase.AuthRetrying))
        {
            _retryingSince = phase == TokenPhase.AuthRetrying && _authRetry is { } info ? info.StartedAt : now;
        }

        _phase = phase;
        _reason = reason;
        _message = message;
    }

    private MonitorStatus Snapshot()
    {
        var retrying = _phase == TokenPhase.AuthRetrying;
        var retryReason = retrying ? TokenReasons.TransientFailure
            : _reason == TokenReasons.CeilingExceeded ? TokenReasons.CeilingExceeded
            : _reason == TokenReasons.Recovered ? TokenReasons.Recovered
            : TokenReasons.NotRetrying;
        var retryMessage = retrying && _authRetry is { } info
            ? $"retrying every {Format(_config.Timing.Retry.TickInterval)} until {Rfc3339(info.Deadline)}"
            : retryReason == TokenReasons.NotRetrying ? "not retrying" : _message;
        return new MonitorStatus
        {
            Phase = _phase,
            Reason = _reason,
            Message = _message,
            Token = new TokenTimes(_expiresAt, _lastRefresh, _phase == TokenPhase.Running ? _nextRefresh : null) { RefreshTokenExpiresAt = _refreshTokenExpiresAt },
            DiscoveredIssuer = _discoveredIssuer,
            DiscoveredTokenEndpoint = _discoveredTokenEndpoint,
            AuthRetry = _authRetry,
            Ready = new ConditionFact(_phase == TokenPhase.Running, _reason, _message, _readySince),
            AuthRetrying = new ConditionFact(retrying, retryReason, retryMessage, _retryingSince),
            LastFailure = _lastFailure,
        };
    }

    private async ValueTask WriteStatusAsync(StatusUpdate update, CancellationToken stopToken)
    {
        try
        {
            await _ports.Status.WriteAsync(update, stopToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsOwnStop(ex, stopToken))
        {
            LogPortFailed(_logger, ex, _config.WorkloadKey, "status sink");
        }
    }

    private DateTimeOffset? ValidExpiry(DateTimeOffset now) => _expiresAt is { } e && e > now ? e : null;

    private static bool IsOwnStop(Exception ex, CancellationToken stopToken) => ex is OperationCanceledException && stopToken.IsCancellationRequested;

    private static TokenFailure LocalFailure(string description) =>
        new(FailureClass.Transient, FailureKind.Local, TokenReasons.TokenEndpointUnavailable, description);

    private static string Format(TimeSpan span) =>
        span.TotalHours >= 1 && span.Minutes == 0 && span.Seconds == 0 ? $"{(int)span.TotalHours}h"
        : span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{(int)span.TotalMinutes}m"
        : $"{(int)span.TotalSeconds}s";

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Token monitor {Workload} started in {Phase}")]
    private static partial void LogStarted(ILogger logger, string workload, TokenPhase phase);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Token monitor {Workload} stopped")]
    private static partial void LogStopped(ILogger logger, string workload);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Token request for {Workload} failed (attempt {Attempt}); retrying in {Delay}: {Error}")]
    private static partial void LogShortRetry(ILogger logger, string workload, int attempt, TimeSpan delay, string error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Workload {Workload} is now {Phase} ({Reason})")]
    private static partial void LogTransition(ILogger logger, string workload, TokenPhase phase, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "The {Port} failed for {Workload}")]
    private static partial void LogPortFailed(ILogger logger, Exception exception, string workload, string port);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Unexpected error in the token monitor of {Workload}; retrying later")]
    private static partial void LogFlightCrashed(ILogger logger, Exception exception, string workload);

    private sealed record AttemptOutcome(TokenGrant? Grant, TokenFailure? Failure, string? CredentialsVersion, string? MissingReason, string? MissingMessage)
    {
        public static AttemptOutcome Succeeded(TokenGrant grant, string version) => new(grant, null, version, null, null);

        public static AttemptOutcome Failed(TokenFailure failure, string? version) => new(null, failure, version, null, null);

        public static AttemptOutcome Missing(string reason, string message) => new(null, null, null, reason, message);
    }
}
