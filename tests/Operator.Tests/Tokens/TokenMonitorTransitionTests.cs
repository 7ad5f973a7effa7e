using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>Section 1 transitions on a fake clock. No test waits on the wall clock.</summary>
public sealed class TokenMonitorTransitionTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan[] ShortRetryOffsets = [TimeSpan.Zero, S(10), S(30), S(70), S(150), S(270)];

    [Fact]
    public async Task Pending_to_running_publishes_and_emits_TokenIssued()
    {
        await using var h = new Harness();
        h.Client.Then(() => h.Client.Token(Hour));

        h.Monitor.Start();

        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
        Assert.Single(h.Ports.Published);
        var update = Assert.Single(h.Updates);
        Assert.Equal(StatusUpdateKind.Transition, update.Kind);
        Assert.Equal(WorkloadPhase.Running, update.Status.Phase);
        Assert.Equal("True", h.Condition(update.Status, ConditionTypes.Ready).Status);
        Assert.Equal("False", h.Condition(update.Status, ConditionTypes.AuthRetrying).Status);
        Assert.Equal(MonitorEventType.Normal, update.Event!.Type);
        Assert.Equal(Reasons.TokenIssued, update.Event.Reason);
        Assert.Equal(Harness.Epoch + Hour, update.Status.Token.ExpiresAt);
        Assert.Equal(Harness.Epoch + TimeSpan.FromMinutes(48), update.Status.Token.NextRefreshTime);
    }

    [Fact]
    public async Task Scheduled_refresh_updates_token_times_without_phase_write_or_event()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => h.Client.Token(Hour);
        h.Monitor.Start();

        h.Advance(TimeSpan.FromMinutes(48) - S(1));
        Assert.Equal(1, h.Client.Count);
        h.Advance(S(1));

        Assert.Equal(2, h.Client.Count);
        Assert.Equal(2, h.Ports.Published.Count);
        var update = h.LastUpdate;
        Assert.Equal(StatusUpdateKind.TokenTimes, update.Kind);
        Assert.Null(update.Event);
        Assert.Equal(WorkloadPhase.Running, update.Status.Phase);
        Assert.Equal(h.Now, update.Status.Token.LastRefreshTime);
        Assert.Single(h.Transitions);
    }

    [Fact]
    public async Task Transient_blip_absorbed_by_short_retry_without_phase_change()
    {
        await using var h = new Harness();
        h.Client.Then(() => h.Client.Token(Hour)).Then(() => Failures.Transient()).Then(() => h.Client.Token(Hour));
        h.Monitor.Start();

        h.Advance(TimeSpan.FromMinutes(48));
        Assert.Equal(2, h.Client.Count);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
        h.Advance(S(10));

        Assert.Equal(3, h.Client.Count);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
        Assert.Single(h.Transitions);
        Assert.Equal(StatusUpdateKind.TokenTimes, h.LastUpdate.Kind);
    }

    [Fact]
    public async Task Short_retry_exhausted_enters_AuthRetrying_with_one_write()
    {
        await using var h = new Harness();
        h.Client.Then(() => h.Client.Token(Hour));
        h.Client.Fallback = () => Failures.Transient();
        h.Monitor.Start();
        var refreshAt = h.Now + TimeSpan.FromMinutes(48);

        h.AdvanceTo(refreshAt + S(270));

        // 10 s, 20 s, 40 s, 80 s, 120 s (capped): six attempts within maxElapsed 5 m.
        Assert.Equal(ShortRetryOffsets.Select(o => refreshAt + o), h.Client.Times.Skip(1));
        var update = h.LastUpdate;
        Assert.Equal(2, h.Updates.Count);
        Assert.Equal(StatusUpdateKind.Transition, update.Kind);
        Assert.Equal(WorkloadPhase.AuthRetrying, update.Status.Phase);
        Assert.Equal(Reasons.TokenEndpointUnavailable, update.Status.Reason);
        var retry = update.Status.AuthRetry!;
        Assert.Equal(h.Now, retry.StartedAt);
        Assert.Equal(h.Now + TimeSpan.FromHours(24), retry.Deadline);
        // The first tick is fully jittered over the tick (u = 0.5: 5 m), which here is still before the published token
        // (expiring 10:00) needs its 30 s lead; the lead itself is covered by the timing tests.
        Assert.Equal(h.Now + TimeSpan.FromMinutes(5), retry.NextAttemptTime);
        Assert.True(retry.NextAttemptTime < h.Now + TimeSpan.FromMinutes(10));
        Assert.Equal(6, retry.Attempts);
        Assert.Contains("503", retry.LastError, StringComparison.Ordinal);
        var persisted = h.Persisted(update.Status);
        var retrying = persisted.Conditions!.Single(c => c.Type == ConditionTypes.AuthRetrying);
        Assert.Equal("True", retrying.Status);
        Assert.Equal(persisted.AuthRetry!.StartedAt, retrying.LastTransitionTime);
        Assert.Equal("False", persisted.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Status);
        Assert.Equal(MonitorEventType.Warning, update.Event!.Type);
        Assert.Equal(Reasons.AuthRetrying, update.Event.Reason);
    }

    [Fact]
    public async Task Failed_tick_updates_attempts_without_event_or_condition_flip()
    {
        await using var h = await InAuthRetrying();
        var entered = h.LastUpdate.Status;

        h.AdvanceTo(entered.AuthRetry!.NextAttemptTime!.Value);

        var update = h.LastUpdate;
        Assert.Equal(StatusUpdateKind.RetryProgress, update.Kind);
        Assert.Null(update.Event);
        Assert.Equal(WorkloadPhase.AuthRetrying, update.Status.Phase);
        var enteredCondition = h.Condition(entered, ConditionTypes.AuthRetrying);
        Assert.Equal(enteredCondition, h.Condition(update.Status, ConditionTypes.AuthRetrying, h.Persisted(entered)), new ConditionComparer());
        Assert.Equal(entered.Message, update.Status.Message);
        Assert.Equal(entered.AuthRetry!.Attempts + 1, update.Status.AuthRetry!.Attempts);
        Assert.Equal(h.Now, update.Status.AuthRetry.LastAttemptTime);
        Assert.Equal(h.Now + TimeSpan.FromMinutes(10), update.Status.AuthRetry.NextAttemptTime);
        Assert.Equal(entered.AuthRetry.Deadline, update.Status.AuthRetry.Deadline);
    }

    [Fact]
    public async Task First_tick_after_IdP_returns_recovers()
    {
        await using var h = await InAuthRetrying();
        var before = h.Client.Count;
        h.Client.Fallback = () => h.Client.Token(Hour);

        h.AdvanceTo(h.LastUpdate.Status.AuthRetry!.NextAttemptTime!.Value);

        Assert.Equal(before + 1, h.Client.Count);
        var update = h.LastUpdate;
        Assert.Equal(StatusUpdateKind.Transition, update.Kind);
        Assert.Equal(WorkloadPhase.Running, update.Status.Phase);
        Assert.Null(update.Status.AuthRetry);
        var persistedBefore = h.Persisted(h.Updates[^2].Status);
        Assert.Equal("True", h.Condition(update.Status, ConditionTypes.Ready, persistedBefore).Status);
        var retrying = h.Condition(update.Status, ConditionTypes.AuthRetrying, persistedBefore);
        Assert.Equal("False", retrying.Status);
        Assert.Equal(new DateTime(h.Now.UtcTicks - (h.Now.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc), retrying.LastTransitionTime);
        Assert.Equal(Reasons.Recovered, update.Event!.Reason);
        Assert.Equal(MonitorEventType.Normal, update.Event.Type);
    }

    [Fact]
    public async Task Ceiling_hit_exactly_at_the_deadline()
    {
        var timing = new MonitorTiming
        {
            StartupSpread = TimeSpan.Zero,
            // Probing off: the give-up is final until a trigger (probes are After_the_ceiling_...).
            Retry = new RetryPolicy { TickInterval = TimeSpan.FromMinutes(10), Ceiling = TimeSpan.FromMinutes(25), ProbeInterval = TimeSpan.Zero },
        };
        await using var h = await InAuthRetrying(timing);
        var deadline = h.LastUpdate.Status.AuthRetry!.Deadline;

        h.AdvanceTo(deadline - TimeSpan.FromTicks(1));
        Assert.Equal(WorkloadPhase.AuthRetrying, h.Monitor.Phase);
        h.AdvanceTo(deadline);

        Assert.Equal(deadline, h.Client.Times[^1]);
        var update = h.LastUpdate;
        Assert.Equal(WorkloadPhase.Unauthenticated, update.Status.Phase);
        Assert.Equal(Reasons.CeilingExceeded, update.Status.Reason);
        Assert.Equal(Reasons.CeilingExceeded, update.Event!.Reason);
        Assert.DoesNotContain("retry-requested-at", update.Event.Message, StringComparison.Ordinal);
        Assert.NotNull(update.Status.AuthRetry);
        Assert.Null(update.Status.AuthRetry!.NextAttemptTime);

        var requests = h.Client.Count;
        h.Advance(TimeSpan.FromDays(2));
        Assert.Equal(requests, h.Client.Count);
    }

    [Fact]
    public async Task After_the_ceiling_one_probe_per_interval_survives_a_restart_and_recovers_when_the_IdP_heals()
    {
        var timing = new MonitorTiming
        {
            StartupSpread = TimeSpan.Zero,
            Retry = new RetryPolicy { TickInterval = TimeSpan.FromMinutes(10), Ceiling = TimeSpan.FromMinutes(25), ProbeInterval = TimeSpan.FromHours(1) },
        };
        await using var h = await InAuthRetrying(timing);
        var deadline = h.LastUpdate.Status.AuthRetry!.Deadline;
        h.AdvanceTo(deadline);
        Assert.Equal(Reasons.CeilingExceeded, h.LastUpdate.Status.Reason);
        var requestsAtCeiling = h.Client.Count;

        // Jitter 0.5: each probe is 1 h × 1.05 after the last attempt, never sooner than one interval.
        var firstProbe = deadline + TimeSpan.FromMinutes(63);
        Assert.Equal(firstProbe, h.LastUpdate.Status.AuthRetry!.NextProbeTime);
        h.AdvanceTo(firstProbe - S(1));
        Assert.Equal(requestsAtCeiling, h.Client.Count);
        h.AdvanceTo(firstProbe);
        Assert.Equal(firstProbe, h.Client.Times[^1]);
        Assert.Equal((StatusUpdateKind.RetryProgress, WorkloadPhase.Unauthenticated), (h.LastUpdate.Kind, h.LastUpdate.Status.Phase));
        var secondProbe = firstProbe + TimeSpan.FromMinutes(63);
        Assert.Equal(secondProbe, h.LastUpdate.Status.AuthRetry!.NextProbeTime);

        // A restart (or a new leader) resumes the probe from status, not from scratch and not at once.
        await h.RestartAsync();
        h.Client.Fallback = () => h.Client.Token(TimeSpan.FromHours(1));
        h.AdvanceTo(secondProbe - S(1));
        Assert.Equal(requestsAtCeiling + 1, h.Client.Count);
        h.AdvanceTo(secondProbe);

        Assert.Equal(secondProbe, h.Client.Times[^1]);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
        Assert.Equal(Reasons.Recovered, h.LastUpdate.Event!.Reason);
        Assert.Null(h.LastUpdate.Status.AuthRetry);
    }

    [Fact]
    public async Task A_probe_answered_permanently_stops_the_probes()
    {
        var timing = new MonitorTiming
        {
            StartupSpread = TimeSpan.Zero,
            Retry = new RetryPolicy { TickInterval = TimeSpan.FromMinutes(10), Ceiling = TimeSpan.FromMinutes(25), ProbeInterval = TimeSpan.FromHours(1) },
        };
        await using var h = await InAuthRetrying(timing);
        h.AdvanceTo(h.LastUpdate.Status.AuthRetry!.Deadline);
        h.Client.Fallback = () => Failures.InvalidGrant();
        h.Advance(TimeSpan.FromMinutes(64));
        var requests = h.Client.Count;

        h.Advance(TimeSpan.FromDays(1));

        Assert.Equal((WorkloadPhase.Unauthenticated, Reasons.CredentialsRejected), (h.Monitor.Phase, h.Monitor.Status.Reason));
        Assert.Null(h.Monitor.Status.AuthRetry!.NextProbeTime);
        Assert.Equal(requests, h.Client.Count);
    }

    [Fact]
    public async Task Permanent_error_during_AuthRetrying_gives_up_at_once()
    {
        await using var h = await InAuthRetrying();
        h.Client.Fallback = Failures.InvalidGrant;

        h.Advance(TimeSpan.FromMinutes(10));

        var update = h.LastUpdate;
        Assert.Equal(WorkloadPhase.Unauthenticated, update.Status.Phase);
        Assert.Equal(Reasons.CredentialsRejected, update.Status.Reason);
        Assert.Contains("invalid_grant", update.Status.Message, StringComparison.Ordinal);
        Assert.Contains("retry-requested-at", update.Event!.Message, StringComparison.Ordinal);
        Assert.Contains("mcp-operator", update.Event.Message, StringComparison.Ordinal);
        Assert.NotNull(update.Status.AuthRetry);
        var requests = h.Client.Count;
        h.Advance(TimeSpan.FromDays(2));
        Assert.Equal(requests, h.Client.Count);
    }

    [Fact]
    public async Task Permanent_error_while_running_goes_Unauthenticated_without_retrying()
    {
        await using var h = new Harness();
        h.Client.Then(() => h.Client.Token(Hour));
        h.Client.Fallback = Failures.InvalidGrant;
        h.Monitor.Start();

        h.Advance(TimeSpan.FromMinutes(48));

        Assert.Equal(2, h.Client.Count);
        Assert.Equal(WorkloadPhase.Unauthenticated, h.Monitor.Phase);
        Assert.Equal(Reasons.CredentialsRejected, h.LastUpdate.Status.Reason);
    }

    [Fact]
    public async Task Remediation_event_once_per_code_and_credentials_version()
    {
        await using var h = new Harness();
        h.Client.Fallback = Failures.InvalidGrant;
        h.Monitor.Start();
        Assert.Single(h.Updates);
        Assert.Contains("retry-requested-at", h.LastUpdate.Event!.Message, StringComparison.Ordinal);

        h.Monitor.RetryRequested();
        Assert.Equal(2, h.Client.Count);
        Assert.Single(h.Updates);

        h.Credentials.Version = "v2";
        h.Monitor.CredentialsChanged();
        Assert.Equal(3, h.Client.Count);
        Assert.Equal(2, h.Updates.Count);
        Assert.Equal(StatusUpdateKind.EventOnly, h.LastUpdate.Kind);
        Assert.Contains("stale or revoked", h.LastUpdate.Event!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_change_leaves_Unauthenticated_with_a_fresh_short_retry()
    {
        await using var h = new Harness();
        h.Client.Then(Failures.InvalidGrant).Then(() => Failures.Transient()).Then(() => h.Client.Token(Hour));
        h.Monitor.Start();
        Assert.Equal(WorkloadPhase.Unauthenticated, h.Monitor.Phase);
        h.Advance(TimeSpan.FromHours(3));
        Assert.Equal(1, h.Client.Count);

        h.Credentials.Version = "v2";
        h.Monitor.CredentialsChanged();
        Assert.Equal(2, h.Client.Count);
        h.Advance(S(10));

        Assert.Equal(3, h.Client.Count);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
        Assert.Equal(Reasons.TokenIssued, h.LastUpdate.Event!.Reason);
    }

    [Fact]
    public async Task Retry_request_from_Unauthenticated_makes_one_attempt()
    {
        await using var h = new Harness();
        h.Client.Then(Failures.InvalidGrant).Then(() => h.Client.Token(Hour));
        h.Monitor.Start();

        h.Monitor.RetryRequested();

        Assert.Equal(2, h.Client.Count);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task Failed_phase_resumed_idles_until_a_trigger()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => h.Client.Token(Hour);
        h.StartFrom(new RemoteWorkloadStatus { Phase = WorkloadPhase.Failed, Reason = "InvalidSpec", Message = "bad" });
        h.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, h.Client.Count);
        Assert.Empty(h.Updates);

        h.Monitor.RetryRequested();
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task Stop_is_quiet_even_mid_short_retry()
    {
        var h = new Harness();
        h.Client.Then(() => h.Client.Token(Hour));
        h.Client.Fallback = () => Failures.Transient();
        h.Monitor.Start();
        h.Advance(TimeSpan.FromMinutes(48) + S(15));
        var writes = h.Updates.Count;
        var requests = h.Client.Count;

        await h.Monitor.StopAsync();
        h.Advance(TimeSpan.FromDays(2));

        Assert.Equal(writes, h.Updates.Count);
        Assert.Equal(requests, h.Client.Count);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task Pending_with_an_unreachable_IdP_also_enters_AuthRetrying()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => Failures.Transient();
        h.Monitor.Start();
        h.Advance(S(270));

        Assert.Equal(6, h.Client.Count);
        Assert.Equal(WorkloadPhase.AuthRetrying, h.Monitor.Phase);
        Assert.Equal(WorkloadPhase.AuthRetrying, Assert.Single(h.Updates).Status.Phase);
    }

    [Fact]
    public async Task Missing_credentials_wait_in_Pending_until_they_change()
    {
        await using var h = new Harness();
        h.Credentials.Missing = true;
        h.Client.Fallback = () => h.Client.Token(Hour);
        h.Monitor.Start();

        Assert.Equal(WorkloadPhase.Pending, h.Monitor.Phase);
        Assert.Equal("SecretNotFound", h.LastUpdate.Status.Reason);
        Assert.Equal(0, h.Client.Count);
        h.Advance(TimeSpan.FromHours(1));
        Assert.Single(h.Updates);

        h.Credentials.Missing = false;
        h.Monitor.CredentialsChanged();
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task A_refresh_token_grant_without_a_refresh_token_is_Failed_like_the_reconcile_says_until_the_key_is_added()
    {
        await using var h = new Harness();
        h.Credentials.RefreshToken = "";
        h.Client.Fallback = () => h.Client.Token(Hour);
        h.Monitor.Start();

        Assert.Equal(WorkloadPhase.Failed, h.Monitor.Phase);
        Assert.Equal(Reasons.SecretKeyMissing, h.LastUpdate.Status.Reason);
        Assert.Equal(MissingCredentialPhases.For(Reasons.SecretKeyMissing), h.Monitor.Phase);
        Assert.Equal(0, h.Client.Count);

        h.Credentials.RefreshToken = "rt-added";
        h.Credentials.Version = "v2";
        h.Monitor.CredentialsChanged();
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task Reading_the_status_during_AuthRetrying_answers_from_the_cached_failure_without_a_request()
    {
        await using var h = await InAuthRetrying();
        var requests = h.Client.Count;
        var writes = h.Updates.Count;

        for (var i = 0; i < 100; i++)
        {
            var status = h.Monitor.Status;
            Assert.Equal(WorkloadPhase.AuthRetrying, status.Phase);
            Assert.Equal(FailureClass.Transient, status.LastFailure!.Class);
        }

        Assert.Equal(requests, h.Client.Count);
        Assert.Equal(writes, h.Updates.Count);
    }

    [Fact]
    public async Task Retry_request_during_AuthRetrying_brings_the_tick_forward_and_keeps_the_deadline()
    {
        await using var h = await InAuthRetrying();
        var entered = h.LastUpdate.Status.AuthRetry!;
        h.Advance(TimeSpan.FromMinutes(3));

        h.Monitor.RetryRequested();

        Assert.Equal(h.Now, h.Client.Times[^1]);
        Assert.Equal(entered.Deadline, h.LastUpdate.Status.AuthRetry!.Deadline);
        Assert.Equal(entered.StartedAt, h.LastUpdate.Status.AuthRetry.StartedAt);
        Assert.Equal(h.Now + TimeSpan.FromMinutes(10), h.LastUpdate.Status.AuthRetry.NextAttemptTime);
    }

    [Fact]
    public async Task Single_flight_under_100_concurrent_triggers()
    {
        await using var h = new Harness();
        h.Client.Then(Failures.InvalidGrant);
        h.Monitor.Start();
        Assert.Equal(WorkloadPhase.Unauthenticated, h.Monitor.Phase);
        h.Client.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Client.Fallback = () => h.Client.Token(Hour);

        using var go = new ManualResetEventSlim();
        var triggers = Enumerable.Range(0, 100).Select(i => Task.Run(() =>
        {
            go.Wait(TestContext.Current.CancellationToken);
            switch (i % 3)
            {
                case 0:
                    h.Monitor.RetryRequested();
                    break;
                case 1:
                    h.Monitor.CredentialsChanged();
                    break;
                default:
                    _ = h.Monitor.Status;
                    break;
            }
        })).ToArray();
        go.Set();
        await Task.WhenAll(triggers);

        Assert.Equal(2, h.Client.Count);
        h.Client.Gate.SetResult();
        await h.Monitor.WhenIdleAsync();

        Assert.Equal(2, h.Client.Count);
        Assert.Equal(1, h.Client.MaxInFlight);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task Rotated_refresh_token_is_stored_before_the_access_token_is_published()
    {
        await using var h = new Harness();
        h.Client.Then(() => h.Client.Token(Hour, rotate: true));
        h.Monitor.Start();

        var store = h.Log.FindIndex(l => l.StartsWith("store:rt-rotated-1", StringComparison.Ordinal));
        var publish = h.Log.FindIndex(l => l.StartsWith("publish:", StringComparison.Ordinal));
        Assert.True(store >= 0 && store < publish, string.Join(", ", h.Log));
        Assert.Equal("v1", h.Ports.Rotated.Single().DescendsFrom);
    }

    [Fact]
    public async Task Failed_rotated_store_publishes_nothing_and_writes_the_held_token_before_the_next_request()
    {
        await using var h = new Harness();
        h.Ports.FailRotatedStores = 1;
        h.Client.Then(() => h.Client.Token(Hour, rotate: true)).Then(() => h.Client.Token(Hour, rotate: true));
        h.Monitor.Start();
        Assert.Empty(h.Ports.Published);
        Assert.Equal(WorkloadPhase.Pending, h.Monitor.Phase);

        h.Advance(S(10));

        // The second attempt first writes the rotated token held in memory, then presents it (not the spent input one).
        Assert.Equal("rt-rotated-1", h.Client.Requests[1].RefreshToken);
        Assert.Single(h.Ports.Published);
        Assert.Equal(["store:rt-rotated-1", "store:rt-rotated-1", "request:rt-rotated-1", "store:rt-rotated-2"], h.Log.Where(l => l.StartsWith("store:", StringComparison.Ordinal) || l == "request:rt-rotated-1").ToArray());
        Assert.Equal(["rt-rotated-1", "rt-rotated-2"], h.Ports.Rotated.Select(r => r.RefreshToken).ToArray());
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task Status_snapshot_and_updates_never_contain_secrets()
    {
        await using var h = new Harness();
        h.Client.Then(() => h.Client.Token(Hour, rotate: true));
        h.Monitor.Start();

        var text = string.Join('\n', h.Updates.Select(u => u.ToString()));
        Assert.DoesNotContain("at-", text, StringComparison.Ordinal);
        Assert.DoesNotContain("rt-", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("rt-rotated", h.Ports.Rotated[0].ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("at-", h.Ports.Published[0].ToString(), StringComparison.Ordinal);
    }

    internal static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>A monitor that got a token, then lost the IdP long enough to enter AuthRetrying.</summary>
    internal static async Task<Harness> InAuthRetrying(MonitorTiming? timing = null)
    {
        var h = new Harness(timing);
        h.Client.Then(() => h.Client.Token(TimeSpan.FromMinutes(5)));
        h.Client.Fallback = () => Failures.Transient();
        h.Monitor.Start();
        for (var i = 0; i < 100 && h.Monitor.Phase != WorkloadPhase.AuthRetrying; i++)
        {
            h.Advance(S(10));
        }

        Assert.Equal(WorkloadPhase.AuthRetrying, h.Monitor.Phase);
        await Task.CompletedTask;
        return h;
    }

    /// <summary>Conditions compared by what a reader sees: status, reason, message and transition time.</summary>
    private sealed class ConditionComparer : IEqualityComparer<k8s.Models.V1Condition>
    {
        public bool Equals(k8s.Models.V1Condition? x, k8s.Models.V1Condition? y) =>
            x?.Status == y?.Status && x?.Reason == y?.Reason && x?.Message == y?.Message && x?.LastTransitionTime == y?.LastTransitionTime;

        public int GetHashCode(k8s.Models.V1Condition obj) => HashCode.Combine(obj.Status, obj.Reason);
    }
}
