using System.Globalization;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>The result of one transition: the next state, what to write (if anything), and what to arm.</summary>
/// <param name="State">The state after the transition.</param>
/// <param name="Update">The status write (and event) the transition makes; null when nothing changed.</param>
/// <param name="Next">The work the monitor's timer is armed for (<see cref="ScheduledWork.None"/> = idle).</param>
/// <param name="Deadline">The AuthRetrying deadline to arm a give-up timer for; null = none.</param>
internal sealed record TransitionResult(MonitorState State, StatusUpdate? Update, ScheduledWork Next, DateTimeOffset? Deadline);

/// <summary>
/// The monitor's state table as pure functions of (state, outcome, now, timing, jitter): which phase follows, what
/// status and event that writes, and what is scheduled next. The monitor itself keeps only threading, timers and I/O,
/// so every row here is table-tested without a clock or a thread.
/// </summary>
internal static class TokenTransitions
{
    /// <summary>Which work a trigger starts in <paramref name="phase"/>: <see cref="MonitorWork.None"/> when it starts nothing.</summary>
    /// <param name="phase">The current phase.</param>
    /// <param name="retryRequested">A retry request (refresh now in Running) rather than a credentials change.</param>
    public static MonitorWork WorkFor(WorkloadPhase phase, bool retryRequested) => phase switch
    {
        WorkloadPhase.Running => retryRequested ? MonitorWork.Refresh : MonitorWork.None,
        WorkloadPhase.AuthRetrying => MonitorWork.Tick,
        _ => MonitorWork.Initial,
    };

    /// <summary>
    /// The state a monitor starts in from the persisted status. AuthRetrying keeps <c>startedAt</c> (the deadline
    /// follows the configured ceiling, so a changed ceiling moves it) and waits for <c>nextAttemptTime</c>; Running
    /// with a valid token waits for its refresh; immediate attempts land within the start-up spread; Unauthenticated and
    /// Failed idle. The update is set only when the resumed status differs from the persisted one (a moved deadline).
    /// </summary>
    public static TransitionResult Resume(MonitorStatus resume, DateTimeOffset now, TokenMonitorConfig config, double startupJitter, double refreshJitter)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Resume(resume, now, config, () => now + TokenSchedule.StartupDelay(config.Timing.StartupSpread, startupJitter), startupJitter, refreshJitter);
    }

    /// <summary>
    /// <see cref="Resume(MonitorStatus, DateTimeOffset, TokenMonitorConfig, double, double)"/> with the start-up slot
    /// of work that is due at once from <paramref name="startSlot"/>, asked only when there is such work (a
    /// <see cref="StartupPacer"/> counts exactly the due work it spreads).
    /// </summary>
    public static TransitionResult Resume(MonitorStatus resume, DateTimeOffset now, TokenMonitorConfig config, Func<DateTimeOffset> startSlot, double startupJitter, double refreshJitter)
    {
        ArgumentNullException.ThrowIfNull(resume);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(startSlot);
        var timing = config.Timing;
        DateTimeOffset? slot = null;
        DateTimeOffset StartAt() => slot ??= startSlot();
        var state = MonitorState.Initial with
        {
            Phase = resume.Phase,
            Reason = resume.Reason,
            Message = resume.Message,
            ExpiresAt = resume.Token.ExpiresAt,
            RefreshTokenExpiresAt = resume.Token.RefreshTokenExpiresAt,
            ExpirySource = resume.Token.ExpirySource,
            LastRefresh = resume.Token.LastRefreshTime,
            NextRefresh = resume.Token.NextRefreshTime,
            DiscoveredIssuer = resume.DiscoveredIssuer,
            DiscoveredTokenEndpoint = resume.DiscoveredTokenEndpoint,
            RotationUnstoredAt = resume.RotationUnstoredAt,
            ShortTokenLifetime = resume.ShortTokenLifetime,
        };

        switch (resume.Phase)
        {
            case WorkloadPhase.Pending:
                return new TransitionResult(state, null, new ScheduledWork(MonitorWork.Initial, StartAt()), null);
            case WorkloadPhase.Running:
                DateTimeOffset due;
                if (state.ExpiresAt is { } expiry && expiry > now)
                {
                    var planned = state.NextRefresh ?? TokenSchedule.NextRefresh(state.LastRefresh ?? now, expiry, now, timing.Refresh, timing.Retry.TickInterval, refreshJitter, timing.MinimumRefreshInterval, timing.PropagationDelay);
                    due = planned > now ? planned : StartAt();
                }
                else
                {
                    due = state.ExpiresAt is null && state.NextRefresh is { } next && next > now ? next : StartAt();
                }

                return new TransitionResult(state with { NextRefresh = due }, null, new ScheduledWork(MonitorWork.Refresh, due), null);
            case WorkloadPhase.AuthRetrying:
                var persisted = resume.AuthRetry;
                var startedAt = persisted?.StartedAt ?? now;
                var deadline = TokenSchedule.Deadline(startedAt, timing.Retry.Ceiling);
                var nextAttempt = persisted?.NextAttemptTime is { } n && n > now ? (n < deadline ? n : deadline) : StartAt();
                if (nextAttempt < now)
                {
                    nextAttempt = now;
                }

                state = state with
                {
                    AuthRetry = new AuthRetryInfo(startedAt, deadline, persisted?.Attempts ?? 0, persisted?.LastAttemptTime, nextAttempt, persisted?.LastError),
                    NextRefresh = null,
                };
                StatusUpdate? moved = null;
                if (persisted is { } before && before.Deadline != deadline)
                {
                    // The ceiling changed: the retry window keeps its start and the deadline follows the new ceiling.
                    state = state with { Message = RetryMessage(persisted.LastError ?? "the token endpoint was unavailable", timing.Retry.TickInterval, deadline) };
                    moved = new StatusUpdate(StatusUpdateKind.RetryProgress, state.ToStatus(), null);
                }

                return new TransitionResult(state, moved, new ScheduledWork(MonitorWork.Tick, nextAttempt), deadline);
            case WorkloadPhase.Unauthenticated when resume.Reason == Reasons.CeilingExceeded && resume.AuthRetry is { } gaveUp:
                return ResumeProbing(state with { NextRefresh = null, AuthRetry = gaveUp }, gaveUp, now, StartAt, timing, startupJitter);
            default:
                return new TransitionResult(state with { NextRefresh = null }, null, ScheduledWork.None, null);
        }
    }

    /// <summary>
    /// Resumes the slow probe of a workload that gave up at the ceiling: at the persisted <c>nextProbeTime</c> (within
    /// the start-up spread when it passed, never later than one interval from now when the interval was shortened). A
    /// status without one (probing was off, or written before probes existed) gets its first probe anywhere in one
    /// interval, so a fleet does not probe together; probing turned off removes a planned probe.
    /// </summary>
    private static TransitionResult ResumeProbing(MonitorState state, AuthRetryInfo gaveUp, DateTimeOffset now, Func<DateTimeOffset> startAt, MonitorTiming timing, double u)
    {
        var interval = timing.Retry.ProbeInterval;
        DateTimeOffset? next = interval <= TimeSpan.Zero ? null
            : gaveUp.NextProbeTime is not { } planned ? FirstProbe(now + (interval * Math.Clamp(u, 0, 1)), gaveUp.LastAttemptTime, interval)
            : planned <= now ? startAt()
            : planned > now + (interval * (1 + TokenSchedule.TickJitter)) ? now + interval
            : planned;
        state = state with { AuthRetry = gaveUp with { NextProbeTime = next } };
        var moved = next == gaveUp.NextProbeTime ? null : new StatusUpdate(StatusUpdateKind.RetryProgress, state.ToStatus(), null);
        return new TransitionResult(state, moved, next is { } at ? new ScheduledWork(MonitorWork.Probe, at) : ScheduledWork.None, null);
    }

    /// <summary>A first probe spread over one interval, but never sooner than one interval after the last attempt.</summary>
    private static DateTimeOffset FirstProbe(DateTimeOffset spread, DateTimeOffset? lastAttempt, TimeSpan interval) =>
        lastAttempt is { } last && last + interval > spread ? last + interval : spread;

    /// <summary>
    /// The state table: what <paramref name="outcome"/> of <paramref name="work"/> does to <paramref name="state"/>.
    /// </summary>
    /// <param name="state">The state before the attempt.</param>
    /// <param name="work">What the attempt was (a tick has no short retry).</param>
    /// <param name="outcome">How it ended.</param>
    /// <param name="flightAttempts">Requests made by this flight (the short retry's attempts).</param>
    /// <param name="now">The time the attempt ended.</param>
    /// <param name="config">The workload's configuration (timing, client id).</param>
    /// <param name="jitter">One jitter sample in [0, 1) for the schedule this transition makes.</param>
    public static TransitionResult Apply(MonitorState state, MonitorWork work, AttemptOutcome outcome, int flightAttempts, DateTimeOffset now, TokenMonitorConfig config, double jitter)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(config);
        if (outcome.Grant is { } grant)
        {
            return Succeeded(state, work, grant, now, config, jitter);
        }

        if (outcome.MissingReason is { } missingReason)
        {
            var message = outcome.MissingMessage ?? "credentials are not available";
            // Missing credentials need a person: probes stop until a trigger.
            var waiting = state with { NextRefresh = null, AuthRetry = state.AuthRetry is { } held ? held with { NextProbeTime = null } : null };
            var phase = MissingCredentialPhases.For(missingReason);
            if (state.Phase == phase && state.Reason == missingReason && state.Message == message)
            {
                return new TransitionResult(waiting, null, ScheduledWork.None, null);
            }

            return Transition(Enter(waiting, phase, missingReason, message), new MonitorEvent(MonitorEventType.Warning, missingReason, message), config, ScheduledWork.None, null);
        }

        var failure = outcome.Failure ?? throw new ArgumentException("An outcome has a grant, a failure or a missing reason.", nameof(outcome));
        state = state with { LastFailure = failure };
        return failure.IsTransient
            ? TransientFailure(state, work, failure, flightAttempts, now, config, jitter)
            : PermanentFailure(state, work, failure, outcome.CredentialsVersion, flightAttempts, now, config);
    }

    private static TransitionResult Succeeded(MonitorState state, MonitorWork work, TokenGrant grant, DateTimeOffset now, TokenMonitorConfig config, double jitter)
    {
        var timing = config.Timing;
        var nextRefresh = TokenSchedule.NextRefresh(grant.IssuedAt, grant.ExpiresAt, now, timing.Refresh, timing.Retry.TickInterval, jitter, timing.MinimumRefreshInterval, timing.PropagationDelay);
        var shortLifetime = TokenSchedule.ShortLifetime(grant.IssuedAt, grant.ExpiresAt, timing.MinimumRefreshInterval);
        var next = state with
        {
            LastFailure = null,
            ExpiresAt = grant.ExpiresAt,
            RefreshTokenExpiresAt = grant.RefreshTokenExpiresAt,
            ExpirySource = grant.ExpirySource,
            DiscoveredIssuer = grant.DiscoveredIssuer,
            DiscoveredTokenEndpoint = grant.DiscoveredIssuer is null ? null : grant.TokenEndpoint,
            LastRefresh = grant.IssuedAt,
            NextRefresh = nextRefresh,
            // A grant means the refresh token that was stored worked after all (or a person replaced it).
            RotationUnstoredAt = null,
            ShortTokenLifetime = shortLifetime,
        };
        var schedule = new ScheduledWork(MonitorWork.Refresh, nextRefresh);
        if (state.Phase == WorkloadPhase.Running)
        {
            // A scheduled refresh: token times only, and nothing at all when they did not change.
            var unchanged = (state.ExpiresAt, state.LastRefresh, state.NextRefresh, state.RefreshTokenExpiresAt, state.DiscoveredTokenEndpoint, state.RotationUnstoredAt, state.ShortTokenLifetime, state.ExpirySource)
                == (next.ExpiresAt, next.LastRefresh, next.NextRefresh, next.RefreshTokenExpiresAt, next.DiscoveredTokenEndpoint, next.RotationUnstoredAt, next.ShortTokenLifetime, next.ExpirySource);

            // The IdP started issuing tokens shorter than the floor: say so once, when it starts.
            var warning = shortLifetime is { } lifetime && state.ShortTokenLifetime is null
                ? new MonitorEvent(MonitorEventType.Warning, Reasons.ShortTokenLifetime, RetryMessages.ShortTokenLifetime(lifetime))
                : null;
            return new TransitionResult(next, unchanged ? null : new StatusUpdate(StatusUpdateKind.TokenTimes, next.ToStatus(), warning), schedule, null);
        }

        var validity = grant.ExpiresAt is { } e ? $"valid until {RetryMessages.Rfc3339(e)}" : "without expiry; re-validated every tick interval";
        if (shortLifetime is { } tooShort)
        {
            validity += $"; {RetryMessages.ShortTokenLifetime(tooShort)}";
        }

        // A probe that succeeds after the ceiling is a recovery too: the failure healed, however long it took.
        var recovered = state.Phase == WorkloadPhase.AuthRetrying || work == MonitorWork.Probe;
        var reason = recovered ? Reasons.Recovered : Reasons.TokenIssued;
        var message = recovered
            ? $"token endpoint answered again after {(state.AuthRetry?.Attempts ?? 0) + 1} attempts; access token {validity}"
            : $"access token issued, {validity}";
        next = Enter(next with { AuthRetry = null }, WorkloadPhase.Running, reason, message);
        return Transition(next, new MonitorEvent(MonitorEventType.Normal, reason, message), config, schedule, null);
    }

    private static TransitionResult PermanentFailure(MonitorState state, MonitorWork work, TokenFailure failure, string? credentialsVersion, int flightAttempts, DateTimeOffset now, TokenMonitorConfig config)
    {
        state = state with { NextRefresh = null };
        if (state.AuthRetry is { } kept)
        {
            state = state with
            {
                AuthRetry = kept with
                {
                    Attempts = kept.Attempts + (work == MonitorWork.Tick ? 1 : flightAttempts),
                    LastAttemptTime = now,
                    NextAttemptTime = null,
                    LastError = failure.Description,
                    NextProbeTime = null,
                },
            };
        }

        var message = failure.ErrorCode is { } code
            ? $"the IdP rejected the credentials with {code}: {failure.Description}"
            : failure.Description;
        MonitorEvent? ev = new(MonitorEventType.Warning, failure.Reason, message);
        if (failure.ErrorCode is { } errorCode && !string.IsNullOrEmpty(config.ClientId))
        {
            // The remediation hint goes out at most once per distinct (code, credentials version).
            var key = $"{errorCode}\n{credentialsVersion}";
            ev = state.RemediationsSent.Contains(key)
                ? null
                : ev with
                {
                    Message = $"{message}. {Remediation(config)}",
                };
            state = state with { RemediationsSent = state.RemediationsSent.Add(key) };
        }

        // A guard refusal is no verdict on the credentials: the spec (or DNS) cannot work as written.
        var phase = failure.SpecCannotWork ? WorkloadPhase.Failed : WorkloadPhase.Unauthenticated;
        if (state.Phase == phase && state.Reason == failure.Reason && state.Message == message)
        {
            return new TransitionResult(state, ev is null ? null : new StatusUpdate(StatusUpdateKind.EventOnly, state.ToStatus(), ev), ScheduledWork.None, null);
        }

        return Transition(Enter(state, phase, failure.Reason, message), ev, config, ScheduledWork.None, null);
    }

    private static string Namespace(TokenMonitorConfig config) =>
        config.WorkloadKey.Split('/') is [var ns, _] ? ns : "<namespace>";

    private static string Remediation(TokenMonitorConfig config) => config.ClientAuthentication switch
    {
        // A refused exchange is about the subject token unless the client itself was refused.
        _ when config.Grant == GrantType.TokenExchange && config.ClientAuthentication is ClientAuthenticationMethod.None =>
            $"The token exchange of client '{config.ClientId}' was refused: check that the IdP trusts the subject token's issuer and subject (subject_token_type {config.SubjectTokenType}{(config.ExchangeAudience is null ? string.Empty : $", audience '{config.ExchangeAudience}'")}) and that the subject token is current; update it, or annotate the workload with workloads.dev/retry-requested-at to try again.",
        // Naming the method tells the reader where to look: a key registration at the IdP, not a password.
        ClientAuthenticationMethod.PrivateKeyJwt =>
            $"The private_key_jwt assertion of client '{config.ClientId}' was refused: check that the IdP holds the public key of the Secret's private key{(config.KeyId is null ? string.Empty : $" under kid '{config.KeyId}'")}, that the algorithm is allowed and the audience is the token endpoint; update the private key Secret, or annotate the workload with workloads.dev/retry-requested-at to try again.",
        ClientAuthenticationMethod.ServiceAccountToken =>
            $"The ServiceAccount token of '{config.ServiceAccountName}' presented as client assertion of client '{config.ClientId}' was refused: check that the IdP trusts the cluster's service-account issuer for this client (a federated credential with subject system:serviceaccount:{Namespace(config)}:{config.ServiceAccountName} and audience '{config.ServiceAccountAudience}'); after fixing it, annotate the workload with workloads.dev/retry-requested-at to try again.",
        ClientAuthenticationMethod.TlsClientAuth =>
            $"The client certificate (tls_client_auth) of client '{config.ClientId}' was refused: check that the IdP trusts the certificate's issuing CA and that the client is registered with this certificate's subject; update the TLS Secret, or annotate the workload with workloads.dev/retry-requested-at to try again.",
        ClientAuthenticationMethod.SelfSignedTlsClientAuth =>
            $"The self-signed client certificate (self_signed_tls_client_auth) of client '{config.ClientId}' was refused: check that the IdP holds this certificate (or its public key) for the client; update the TLS Secret, or annotate the workload with workloads.dev/retry-requested-at to try again.",
        _ =>
            $"The credentials of client '{config.ClientId}' may be stale or revoked: update the credentials Secret, or annotate the workload with workloads.dev/retry-requested-at to try again.",
    };

    private static TransitionResult TransientFailure(MonitorState state, MonitorWork work, TokenFailure failure, int flightAttempts, DateTimeOffset now, TokenMonitorConfig config, double jitter)
    {
        var retry = config.Timing.Retry;
        if (work == MonitorWork.Tick && state.AuthRetry is { } retrying)
        {
            var attempts = retrying.Attempts + 1;
            if (now >= retrying.Deadline)
            {
                // The failure was transient: unless probing is off, one slow probe per interval keeps watching for it to heal.
                DateTimeOffset? probe = retry.ProbeInterval > TimeSpan.Zero ? TokenSchedule.NextProbe(now, retry.ProbeInterval, jitter) : null;
                var gaveUp = state with { AuthRetry = retrying with { Attempts = attempts, LastAttemptTime = now, NextAttemptTime = null, LastError = failure.Description, NextProbeTime = probe } };
                var message = $"gave up at the deadline {RetryMessages.Rfc3339(retrying.Deadline)} after {attempts} attempts; last error: {failure.Description}"
                    + (probe is null ? string.Empty : $"; {RetryMessages.Probing(retry.ProbeInterval)}");
                var next = probe is { } at ? new ScheduledWork(MonitorWork.Probe, at) : ScheduledWork.None;
                return Transition(Enter(gaveUp, WorkloadPhase.Unauthenticated, Reasons.CeilingExceeded, message), new MonitorEvent(MonitorEventType.Warning, Reasons.CeilingExceeded, message), config, next, null);
            }

            var nextTick = TokenSchedule.NextTick(now, retrying.Deadline, retry.TickInterval, failure.RetryAfter, state.ValidExpiry(now), config.Timing.PreExpiryLead, jitter);
            var progressed = state with { AuthRetry = retrying with { Attempts = attempts, LastAttemptTime = now, NextAttemptTime = nextTick, LastError = failure.Description } };
            return new TransitionResult(progressed, new StatusUpdate(StatusUpdateKind.RetryProgress, progressed.ToStatus(), null), new ScheduledWork(MonitorWork.Tick, nextTick), retrying.Deadline);
        }

        if (work == MonitorWork.Probe && state.AuthRetry is { } probing && retry.ProbeInterval > TimeSpan.Zero)
        {
            // Still failing after the ceiling: the phase and message stay, the bookkeeping moves on to the next probe.
            var probe = TokenSchedule.NextProbe(now, retry.ProbeInterval, jitter);
            var probed = state with { AuthRetry = probing with { Attempts = probing.Attempts + 1, LastAttemptTime = now, LastError = failure.Description, NextProbeTime = probe } };
            return new TransitionResult(probed, new StatusUpdate(StatusUpdateKind.RetryProgress, probed.ToStatus(), null), new ScheduledWork(MonitorWork.Probe, probe), null);
        }

        // The short retry is exhausted on a still-transient error: enter AuthRetrying.
        var deadline = TokenSchedule.Deadline(now, retry.Ceiling);
        var nextAttempt = TokenSchedule.FirstTick(now, deadline, retry.TickInterval, failure.RetryAfter, state.ValidExpiry(now), config.Timing.PreExpiryLead, jitter);
        var retryMessage = RetryMessage(failure.Description, retry.TickInterval, deadline);
        var entered = state with
        {
            NextRefresh = null,
            AuthRetry = new AuthRetryInfo(now, deadline, flightAttempts, now, nextAttempt, failure.Description),
        };
        // The failure's reason: TokenEndpointUnavailable, or TlsFailure for a handshake that failed (it heals too).
        entered = Enter(entered, WorkloadPhase.AuthRetrying, failure.Reason, retryMessage);
        return Transition(entered, new MonitorEvent(MonitorEventType.Warning, Reasons.AuthRetrying, retryMessage), config, new ScheduledWork(MonitorWork.Tick, nextAttempt), deadline);
    }

    private static string RetryMessage(string error, TimeSpan tickInterval, DateTimeOffset deadline) => $"{error}; {RetryMessages.RetryingUntil(tickInterval, deadline)}";

    private static TransitionResult Transition(MonitorState state, MonitorEvent? ev, TokenMonitorConfig config, ScheduledWork next, DateTimeOffset? deadline) =>
        new(state, new StatusUpdate(StatusUpdateKind.Transition, state.ToStatus(), ev), next, deadline);

    /// <summary>Sets the phase (conditions are made from it by the status mapping, not here).</summary>
    private static MonitorState Enter(MonitorState state, WorkloadPhase phase, string reason, string message) =>
        state with { Phase = phase, Reason = reason, Message = message };
}
