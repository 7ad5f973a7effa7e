using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// The state table of docs/token-monitor.md as a table over the pure transition function: for each (phase, work,
/// outcome) the next phase, the kind of status write, the event and what is scheduled. No clock, no thread.
/// </summary>
public sealed class TokenTransitionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private static readonly TokenMonitorConfig Config = new()
    {
        WorkloadKey = "team-a/w",
        TokenEndpoint = new Uri("https://idp.example.com/token"),
        ClientId = "mcp-operator",
    };

    public static TheoryData<string, WorkloadPhase, MonitorWork, string, WorkloadPhase, StatusUpdateKind?, string?, MonitorWork> Rows => new()
    {
        // row, from, work, outcome, to, write, event reason, scheduled next
        { "first token", WorkloadPhase.Pending, MonitorWork.Initial, "grant", WorkloadPhase.Running, StatusUpdateKind.Transition, Reasons.TokenIssued, MonitorWork.Refresh },
        { "scheduled refresh", WorkloadPhase.Running, MonitorWork.Refresh, "grant", WorkloadPhase.Running, StatusUpdateKind.TokenTimes, null, MonitorWork.Refresh },
        { "short retry exhausted", WorkloadPhase.Running, MonitorWork.Refresh, "transient", WorkloadPhase.AuthRetrying, StatusUpdateKind.Transition, Reasons.AuthRetrying, MonitorWork.Tick },
        { "tick fails before deadline", WorkloadPhase.AuthRetrying, MonitorWork.Tick, "transient", WorkloadPhase.AuthRetrying, StatusUpdateKind.RetryProgress, null, MonitorWork.Tick },
        { "tick succeeds", WorkloadPhase.AuthRetrying, MonitorWork.Tick, "grant", WorkloadPhase.Running, StatusUpdateKind.Transition, Reasons.Recovered, MonitorWork.Refresh },
        { "tick fails at deadline", WorkloadPhase.AuthRetrying, MonitorWork.Tick, "transient-at-deadline", WorkloadPhase.Unauthenticated, StatusUpdateKind.Transition, Reasons.CeilingExceeded, MonitorWork.Probe },
        { "permanent in Running", WorkloadPhase.Running, MonitorWork.Refresh, "invalid_grant", WorkloadPhase.Unauthenticated, StatusUpdateKind.Transition, Reasons.CredentialsRejected, MonitorWork.None },
        { "permanent in AuthRetrying", WorkloadPhase.AuthRetrying, MonitorWork.Tick, "invalid_grant", WorkloadPhase.Unauthenticated, StatusUpdateKind.Transition, Reasons.CredentialsRejected, MonitorWork.None },
        { "trigger from Unauthenticated succeeds", WorkloadPhase.Unauthenticated, MonitorWork.Initial, "grant", WorkloadPhase.Running, StatusUpdateKind.Transition, Reasons.TokenIssued, MonitorWork.Refresh },
        { "credentials missing", WorkloadPhase.Pending, MonitorWork.Initial, "missing", WorkloadPhase.Pending, StatusUpdateKind.Transition, "SecretNotFound", MonitorWork.None },
        { "credential key missing", WorkloadPhase.Running, MonitorWork.Refresh, "key-missing", WorkloadPhase.Failed, StatusUpdateKind.Transition, Reasons.SecretKeyMissing, MonitorWork.None },
        { "pending IdP unreachable", WorkloadPhase.Pending, MonitorWork.Initial, "transient", WorkloadPhase.AuthRetrying, StatusUpdateKind.Transition, Reasons.AuthRetrying, MonitorWork.Tick },
        { "endpoint guard refuses the host", WorkloadPhase.Running, MonitorWork.Refresh, "guard", WorkloadPhase.Failed, StatusUpdateKind.Transition, Reasons.EndpointNotAllowed, MonitorWork.None },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_row_of_the_state_table_yields_its_phase_write_event_and_schedule(
        string row, WorkloadPhase from, MonitorWork work, string outcome, WorkloadPhase to, StatusUpdateKind? write, string? eventReason, MonitorWork next)
    {
        var state = StateIn(from);
        var now = outcome == "transient-at-deadline" ? state.AuthRetry!.Deadline : Now;

        var result = TokenTransitions.Apply(state, work, Outcome(outcome, now), 6, now, Config, 0.5);

        Assert.True(to == result.State.Phase, row);
        Assert.Equal(write, result.Update?.Kind);
        Assert.Equal(eventReason, result.Update?.Event?.Reason);
        Assert.Equal(next, result.Next.Work);
        Assert.Equal(result.State.Phase == WorkloadPhase.AuthRetrying, result.Deadline is not null);
        if (result.Update is { } update)
        {
            Assert.Equal(result.State.ToStatus(), update.Status);
        }
    }

    public static TheoryData<string, string, WorkloadPhase, StatusUpdateKind?, string?, MonitorWork> ProbeRows => new()
    {
        // row, outcome of the probe, to, write, event reason, scheduled next
        { "probe fails transiently", "transient", WorkloadPhase.Unauthenticated, StatusUpdateKind.RetryProgress, null, MonitorWork.Probe },
        { "probe succeeds", "grant", WorkloadPhase.Running, StatusUpdateKind.Transition, Reasons.Recovered, MonitorWork.Refresh },
        { "probe answered permanently", "invalid_grant", WorkloadPhase.Unauthenticated, StatusUpdateKind.Transition, Reasons.CredentialsRejected, MonitorWork.None },
        { "probe finds the Secret gone", "missing", WorkloadPhase.Pending, StatusUpdateKind.Transition, "SecretNotFound", MonitorWork.None },
    };

    [Theory]
    [MemberData(nameof(ProbeRows))]
    public void Each_row_of_the_probe_after_the_ceiling_yields_its_phase_write_event_and_schedule(
        string row, string outcome, WorkloadPhase to, StatusUpdateKind? write, string? eventReason, MonitorWork next)
    {
        var result = TokenTransitions.Apply(GaveUp(), MonitorWork.Probe, Outcome(outcome, Now), 1, Now, Config, 0.5);

        Assert.True(to == result.State.Phase, row);
        Assert.Equal(write, result.Update?.Kind);
        Assert.Equal(eventReason, result.Update?.Event?.Reason);
        Assert.Equal(next, result.Next.Work);
        Assert.Null(result.Deadline);
        Assert.Equal(next == MonitorWork.Probe, result.State.AuthRetry?.NextProbeTime is not null);
    }

    [Fact]
    public void The_ceiling_after_a_transient_failure_plans_a_probe_one_interval_later_and_says_so()
    {
        var state = StateIn(WorkloadPhase.AuthRetrying);
        var deadline = state.AuthRetry!.Deadline;

        var result = TokenTransitions.Apply(state, MonitorWork.Tick, Outcome("transient", deadline), 1, deadline, Config, 0.0);

        Assert.Equal((WorkloadPhase.Unauthenticated, Reasons.CeilingExceeded), (result.State.Phase, result.State.Reason));
        Assert.Equal(new ScheduledWork(MonitorWork.Probe, deadline + TimeSpan.FromHours(1)), result.Next);
        Assert.Equal(deadline + TimeSpan.FromHours(1), result.Update!.Status.AuthRetry!.NextProbeTime);
        Assert.EndsWith("probing every 1h", result.State.Message, StringComparison.Ordinal);
        var persisted = StatusMapping.ToWire(null, result.Update.Status, new StatusContext(1), deadline);
        Assert.Equal((deadline + TimeSpan.FromHours(1)).UtcDateTime, persisted.AuthRetry!.NextProbeTime);
    }

    [Fact]
    public void With_probing_off_the_ceiling_idles_until_a_trigger()
    {
        var config = Config with { Timing = Config.Timing with { Retry = Config.Timing.Retry with { ProbeInterval = TimeSpan.Zero } } };
        var state = StateIn(WorkloadPhase.AuthRetrying);
        var deadline = state.AuthRetry!.Deadline;

        var result = TokenTransitions.Apply(state, MonitorWork.Tick, Outcome("transient", deadline), 1, deadline, config, 0.5);

        Assert.Equal(Reasons.CeilingExceeded, result.State.Reason);
        Assert.Equal(ScheduledWork.None, result.Next);
        Assert.Null(result.State.AuthRetry!.NextProbeTime);
    }

    [Fact]
    public void A_failed_probe_keeps_phase_and_message_and_plans_the_next_no_sooner_than_one_interval()
    {
        var state = GaveUp();

        var result = TokenTransitions.Apply(state, MonitorWork.Probe, Outcome("transient", Now), 1, Now, Config, 0.99);

        Assert.Equal((state.Phase, state.Reason, state.Message), (result.State.Phase, result.State.Reason, result.State.Message));
        Assert.Equal(state.AuthRetry!.Attempts + 1, result.State.AuthRetry!.Attempts);
        Assert.Equal(Now, result.State.AuthRetry.LastAttemptTime);
        Assert.Equal(Now + (TimeSpan.FromHours(1) * 1.099), result.State.AuthRetry.NextProbeTime);
        Assert.Equal(result.State.AuthRetry.NextProbeTime, result.Next.At);
    }

    public static TheoryData<string, int?, int, int?, bool> ResumeProbeTable => new()
    {
        // row, persisted nextProbeTime (s from now), probe interval (s), expected probe (s from now; null = none), writes
        // (start-up spread 10 s and u = 0.5: an overdue probe lands 5 s from now; a first probe half an interval from now)
        { "planned ahead", 1200, 3600, 1200, false },
        { "passed while no operator ran", -60, 3600, 5, true },
        { "planned past a shortened interval (more than 1.1 intervals ahead)", 7200, 600, 600, true },
        { "never planned (probing was off)", null, 3600, 1800, true },
        { "probing turned off", 1200, 0, null, true },
    };

    [Theory]
    [MemberData(nameof(ResumeProbeTable))]
    public void Resuming_after_the_ceiling_keeps_probing_from_the_persisted_time(string row, int? persistedIn, int intervalSeconds, int? expectedIn, bool writes)
    {
        var gaveUp = GaveUp().ToStatus();
        var resume = gaveUp with { AuthRetry = gaveUp.AuthRetry! with { NextProbeTime = persistedIn is { } p ? Now + TimeSpan.FromSeconds(p) : null } };
        var config = Config with { Timing = Config.Timing with { StartupSpread = TimeSpan.FromSeconds(10), Retry = Config.Timing.Retry with { ProbeInterval = TimeSpan.FromSeconds(intervalSeconds) } } };

        var result = TokenTransitions.Resume(resume, Now, config, 0.5, 0.5);

        var expected = expectedIn is { } e ? new ScheduledWork(MonitorWork.Probe, Now + TimeSpan.FromSeconds(e)) : ScheduledWork.None;
        Assert.True(expected == result.Next, $"{row}: {result.Next}");
        Assert.Equal(expected.Work == MonitorWork.None ? null : expected.At, result.State.AuthRetry!.NextProbeTime);
        Assert.Equal(writes, result.Update is not null);
        Assert.Equal(Reasons.CeilingExceeded, result.State.Reason);
    }

    [Fact]
    public void A_first_probe_planned_on_resume_comes_no_sooner_than_one_interval_after_the_last_attempt()
    {
        var gaveUp = GaveUp().ToStatus();
        var resume = gaveUp with { AuthRetry = gaveUp.AuthRetry! with { LastAttemptTime = Now - TimeSpan.FromMinutes(10), NextProbeTime = null } };

        var result = TokenTransitions.Resume(resume, Now, Config, 0.5, 0.5);

        // Spread alone would say half an interval from now (30 min); the last attempt 10 min ago says 50 min.
        Assert.Equal(new ScheduledWork(MonitorWork.Probe, Now + TimeSpan.FromMinutes(50)), result.Next);
    }

    [Fact]
    public void Entering_AuthRetrying_starts_the_window_now_and_the_condition_agrees()
    {
        var result = TokenTransitions.Apply(StateIn(WorkloadPhase.Running), MonitorWork.Refresh, Outcome("transient", Now), 6, Now, Config, 0.5);

        var retry = result.State.AuthRetry!;
        Assert.Equal(Now, retry.StartedAt);
        Assert.Equal(Now + Config.Timing.Retry.Ceiling, retry.Deadline);
        Assert.Equal(6, retry.Attempts);
        // The first tick is fully jittered over the tick: u = 0.5 is half of it.
        Assert.Equal(Now + (Config.Timing.Retry.TickInterval / 2), retry.NextAttemptTime);
        var persisted = StatusMapping.ToWire(null, result.Update!.Status, new StatusContext(1, TickInterval: Config.Timing.Retry.TickInterval), Now);
        var retrying = persisted.Conditions!.Single(c => c.Type == ConditionTypes.AuthRetrying);
        Assert.Equal("True", retrying.Status);
        Assert.Equal(persisted.AuthRetry!.StartedAt, retrying.LastTransitionTime);
        Assert.Equal("False", persisted.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Status);
    }

    [Fact]
    public void A_tick_that_fails_keeps_the_window_and_counts_the_attempt()
    {
        var state = StateIn(WorkloadPhase.AuthRetrying);
        var later = Now + TimeSpan.FromMinutes(10);

        var result = TokenTransitions.Apply(state, MonitorWork.Tick, Outcome("transient", later), 1, later, Config, 0.5);

        Assert.Equal(state.AuthRetry!.StartedAt, result.State.AuthRetry!.StartedAt);
        Assert.Equal(state.AuthRetry.Deadline, result.State.AuthRetry.Deadline);
        Assert.Equal(state.AuthRetry.Attempts + 1, result.State.AuthRetry.Attempts);
        Assert.Equal(later, result.State.AuthRetry.LastAttemptTime);
    }

    [Fact]
    public void A_remediation_hint_goes_out_once_per_code_and_credentials_version()
    {
        var first = TokenTransitions.Apply(StateIn(WorkloadPhase.Running), MonitorWork.Refresh, Outcome("invalid_grant", Now), 1, Now, Config, 0.5);
        var again = TokenTransitions.Apply(first.State, MonitorWork.Initial, Outcome("invalid_grant", Now), 1, Now, Config, 0.5);
        var newVersion = TokenTransitions.Apply(again.State, MonitorWork.Initial, Outcome("invalid_grant", Now) with { CredentialsVersion = "v2" }, 1, Now, Config, 0.5);

        Assert.Contains("may be stale or revoked", first.Update!.Event!.Message, StringComparison.Ordinal);
        Assert.Null(again.Update);
        Assert.Equal(StatusUpdateKind.EventOnly, newVersion.Update!.Kind);
    }

    [Fact]
    public void A_refused_private_key_jwt_assertion_gets_a_hint_that_names_the_method_and_the_key_id()
    {
        var config = Config with { ClientAuthentication = ClientAuthenticationMethod.PrivateKeyJwt, KeyId = "key-2026" };

        var result = TokenTransitions.Apply(StateIn(WorkloadPhase.Running), MonitorWork.Refresh, Outcome("invalid_client", Now), 1, Now, config, 0.5);

        var message = result.Update!.Event!.Message;
        Assert.Contains("private_key_jwt", message, StringComparison.Ordinal);
        Assert.Contains("kid 'key-2026'", message, StringComparison.Ordinal);
        Assert.DoesNotContain("may be stale or revoked", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ClientAuthenticationMethod.TlsClientAuth, "tls_client_auth", "issuing CA")]
    [InlineData(ClientAuthenticationMethod.SelfSignedTlsClientAuth, "self_signed_tls_client_auth", "holds this certificate")]
    public void A_refused_client_certificate_is_Unauthenticated_with_a_hint_that_names_the_method(ClientAuthenticationMethod method, string wireName, string where)
    {
        var config = Config with { ClientAuthentication = method };

        var result = TokenTransitions.Apply(StateIn(WorkloadPhase.Running), MonitorWork.Refresh, Outcome("invalid_client", Now), 1, Now, config, 0.5);

        Assert.Equal(WorkloadPhase.Unauthenticated, result.State.Phase);
        var message = result.Update!.Event!.Message;
        Assert.Contains(wireName, message, StringComparison.Ordinal);
        Assert.Contains(where, message, StringComparison.Ordinal);
        Assert.DoesNotContain("may be stale or revoked", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_shorter_than_the_minimum_refresh_interval_is_refreshed_at_the_floor_and_warned_once()
    {
        AttemptOutcome ThreeSeconds(DateTimeOffset at) => AttemptOutcome.Succeeded(new TokenGrant("at", "Bearer", at, at + TimeSpan.FromSeconds(3), null, null), "v1");
        var later = Now + TimeSpan.FromSeconds(10);

        var first = TokenTransitions.Apply(StateIn(WorkloadPhase.Running), MonitorWork.Refresh, ThreeSeconds(Now), 1, Now, Config, 0.5);
        var second = TokenTransitions.Apply(first.State, MonitorWork.Refresh, ThreeSeconds(later), 1, later, Config, 0.5);

        Assert.Equal(new ScheduledWork(MonitorWork.Refresh, Now + TimeSpan.FromSeconds(10)), first.Next);
        Assert.Equal(TimeSpan.FromSeconds(3), first.State.ShortTokenLifetime);
        Assert.Equal((StatusUpdateKind.TokenTimes, Reasons.ShortTokenLifetime, MonitorEventType.Warning), (first.Update!.Kind, first.Update.Event!.Reason, first.Update.Event.Type));
        Assert.Null(second.Update!.Event);
        var persisted = StatusMapping.ToWire(null, first.Update.Status, new StatusContext(1), Now);
        var condition = persisted.Conditions!.Single(c => c.Type == ConditionTypes.ShortTokenLifetime);
        Assert.Equal(("True", Reasons.ShortTokenLifetime), (condition.Status, condition.Reason));
        Assert.Contains("valid for 3s", condition.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(3), StatusMapping.FromWire(persisted)!.ShortTokenLifetime);
    }

    [Fact]
    public void A_first_token_shorter_than_the_floor_says_so_in_its_message_and_a_longer_one_clears_the_condition()
    {
        var shortGrant = AttemptOutcome.Succeeded(new TokenGrant("at", "Bearer", Now, Now + TimeSpan.FromSeconds(5), null, null), "v1");
        var first = TokenTransitions.Apply(StateIn(WorkloadPhase.Pending), MonitorWork.Initial, shortGrant, 1, Now, Config, 0.5);
        var longer = TokenTransitions.Apply(first.State, MonitorWork.Refresh, Outcome("grant", Now + TimeSpan.FromSeconds(10)), 1, Now + TimeSpan.FromSeconds(10), Config, 0.5);

        Assert.Equal(Reasons.TokenIssued, first.Update!.Event!.Reason);
        Assert.Contains("valid for 5s", first.State.Message, StringComparison.Ordinal);
        Assert.Null(longer.State.ShortTokenLifetime);
        Assert.DoesNotContain(StatusMapping.ToWire(null, longer.Update!.Status, new StatusContext(1), Now).Conditions!, c => c.Type == ConditionTypes.ShortTokenLifetime);
    }

    [Fact]
    public void A_refresh_that_changes_no_token_time_writes_nothing()
    {
        var grant = new TokenGrant("at", "Bearer", Now, Now + TimeSpan.FromHours(1), null, null);
        var once = TokenTransitions.Apply(StateIn(WorkloadPhase.Running), MonitorWork.Refresh, AttemptOutcome.Succeeded(grant, "v1"), 1, Now, Config, 0.5);
        var twice = TokenTransitions.Apply(once.State, MonitorWork.Refresh, AttemptOutcome.Succeeded(grant, "v1"), 1, Now, Config, 0.5);

        Assert.NotNull(once.Update);
        Assert.Null(twice.Update);
    }

    public static TheoryData<string, int, double, double> ResumePastDueTable => new()
    {
        { "an hour overdue, u = 0", -3600, 0.0, 0 },
        { "an hour overdue, u = 0.5", -3600, 0.5, 5 },
        { "a second overdue, u = 0.99", -1, 0.99, 9.9 },
        { "due exactly now, u = 0.3", 0, 0.3, 3 },
    };

    [Theory]
    [MemberData(nameof(ResumePastDueTable))]
    public void A_resumed_attempt_whose_time_has_passed_lands_within_the_startup_spread(string row, int dueInSeconds, double startupJitter, double expectedSeconds)
    {
        var startedAt = Now - TimeSpan.FromMinutes(30);
        var resume = Retrying(new AuthRetryInfo(startedAt, startedAt + Config.Timing.Retry.Ceiling, 3, null, Now + TimeSpan.FromSeconds(dueInSeconds), null));
        var config = Config with { Timing = Config.Timing with { StartupSpread = TimeSpan.FromSeconds(10) } };

        var result = TokenTransitions.Resume(resume, Now, config, startupJitter, 0.5);

        Assert.True(new ScheduledWork(MonitorWork.Tick, Now + TimeSpan.FromSeconds(expectedSeconds)) == result.Next, $"{row}: {result.Next}");
        Assert.Equal(result.Next.At, result.State.AuthRetry!.NextAttemptTime);
    }

    [Fact]
    public void Resuming_AuthRetrying_with_a_changed_ceiling_keeps_the_start_and_moves_the_deadline()
    {
        var startedAt = Now - TimeSpan.FromHours(2);
        var resume = Retrying(new AuthRetryInfo(startedAt, startedAt + TimeSpan.FromHours(24), 12, null, Now + TimeSpan.FromMinutes(3), "HTTP 503 from idp.example.com"));
        var config = Config with { Timing = Config.Timing with { Retry = Config.Timing.Retry with { Ceiling = TimeSpan.FromHours(48) } } };

        var result = TokenTransitions.Resume(resume, Now, config, 0.5, 0.5);

        Assert.Equal(startedAt, result.State.AuthRetry!.StartedAt);
        Assert.Equal(startedAt + TimeSpan.FromHours(48), result.State.AuthRetry.Deadline);
        Assert.Equal(12, result.State.AuthRetry.Attempts);
        Assert.Equal(new ScheduledWork(MonitorWork.Tick, Now + TimeSpan.FromMinutes(3)), result.Next);
        Assert.Equal(StatusUpdateKind.RetryProgress, result.Update!.Kind);
        Assert.Null(result.Update.Event);
    }

    [Fact]
    public void Resuming_AuthRetrying_with_the_same_ceiling_writes_nothing()
    {
        var startedAt = Now - TimeSpan.FromHours(2);
        var resume = Retrying(new AuthRetryInfo(startedAt, startedAt + TimeSpan.FromHours(24), 0, null, null, null));

        var result = TokenTransitions.Resume(resume, Now, Config, 0.5, 0.5);

        Assert.Null(result.Update);
        Assert.Equal(startedAt + TimeSpan.FromHours(24), result.Deadline);
    }

    /// <summary>Unauthenticated after the ceiling, with a probe planned for now.</summary>
    private static MonitorState GaveUp() => MonitorState.Initial with
    {
        Phase = WorkloadPhase.Unauthenticated,
        Reason = Reasons.CeilingExceeded,
        Message = "gave up at the deadline; last error: HTTP 503; probing every 1h",
        AuthRetry = new AuthRetryInfo(Now - TimeSpan.FromHours(26), Now - TimeSpan.FromHours(2), 150, Now - TimeSpan.FromHours(1), null, "HTTP 503") { NextProbeTime = Now },
    };

    private static MonitorStatus Retrying(AuthRetryInfo window) =>
        MonitorStatus.Fresh with { Phase = WorkloadPhase.AuthRetrying, Reason = Reasons.TokenEndpointUnavailable, Message = "HTTP 503", AuthRetry = window };

    private static MonitorState StateIn(WorkloadPhase phase) => phase switch
    {
        WorkloadPhase.Running => MonitorState.Initial with
        {
            Phase = WorkloadPhase.Running,
            Reason = Reasons.TokenIssued,
            ExpiresAt = Now + TimeSpan.FromMinutes(12),
            LastRefresh = Now - TimeSpan.FromMinutes(48),
            NextRefresh = Now,
        },
        WorkloadPhase.AuthRetrying => MonitorState.Initial with
        {
            Phase = WorkloadPhase.AuthRetrying,
            Reason = Reasons.TokenEndpointUnavailable,
            AuthRetry = new AuthRetryInfo(Now - TimeSpan.FromHours(1), Now + TimeSpan.FromHours(23), 7, Now - TimeSpan.FromMinutes(10), Now, "HTTP 503"),
        },
        _ => MonitorState.Initial with { Phase = phase, Reason = phase == WorkloadPhase.Unauthenticated ? Reasons.CredentialsRejected : Reasons.Pending },
    };

    private static AttemptOutcome Outcome(string kind, DateTimeOffset now) => kind switch
    {
        "grant" => AttemptOutcome.Succeeded(new TokenGrant("at", "Bearer", now, now + TimeSpan.FromHours(1), null, null), "v1"),
        "transient" or "transient-at-deadline" => AttemptOutcome.Failed(Failures.Transient().Failure!, "v1"),
        "invalid_grant" => AttemptOutcome.Failed(Failures.InvalidGrant().Failure!, "v1"),
        "invalid_client" => AttemptOutcome.Failed(new TokenFailure(FailureClass.Permanent, FailureKind.OAuthError, Reasons.CredentialsRejected, "client authentication failed", 401, "invalid_client"), "v1"),
        "missing" => AttemptOutcome.Missing("SecretNotFound", "Secret idp-creds not found"),
        "key-missing" => AttemptOutcome.Missing(Reasons.SecretKeyMissing, "Secret idp-creds has no key \"refresh_token\""),
        "guard" => AttemptOutcome.Failed(new TokenFailure(FailureClass.Permanent, FailureKind.Connection, Reasons.EndpointNotAllowed, "idp.example.com resolved to 169.254.169.254"), "v1"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
