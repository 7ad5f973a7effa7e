using k8s.Models;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Controller;

public sealed class StatusMappingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 14, 3, 456, TimeSpan.Zero);

    private static MonitorStatus State(WorkloadPhase phase, string reason, string message, TokenTimes? token = null, AuthRetryInfo? retry = null) =>
        new() { Phase = phase, Reason = reason, Message = message, Token = token ?? TokenTimes.None, AuthRetry = retry };

    private static RemoteWorkloadStatus Map(RemoteWorkloadStatus? previous, MonitorStatus state, long? generation, DateTimeOffset now, TimeSpan? tick = null) =>
        StatusMapping.ToWire(previous, state, new StatusContext(generation, TokenSecretName: "w-token", TickInterval: tick), now);

    [Fact]
    public void Running_sets_ready_true_and_retrying_false()
    {
        var status = Map(null, State(WorkloadPhase.Running, Reasons.TokenIssued, "token issued"), 3, Now);

        Assert.Equal(WorkloadPhase.Running, status.Phase);
        Assert.Equal(3, status.ObservedGeneration);
        var ready = status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal("True", ready.Status);
        Assert.Equal(Reasons.TokenIssued, ready.Reason);
        Assert.Equal(new DateTime(2026, 11, 24, 9, 14, 3, DateTimeKind.Utc), ready.LastTransitionTime);
        Assert.Equal("False", status.Conditions!.Single(c => c.Type == ConditionTypes.AuthRetrying).Status);
    }

    [Fact]
    public void A_client_certificate_within_its_renewal_time_turns_ClientCertificateExpiring_true_and_keeps_the_transition_time()
    {
        var state = State(WorkloadPhase.Running, Reasons.TokenIssued, "ok");
        StatusContext Context(DateTimeOffset notAfter) => new(1, TokenSecretName: "w-token", ClientCertificate: new ClientCertificateValidity(notAfter, TimeSpan.FromDays(7)));

        var valid = StatusMapping.ToWire(null, state, Context(Now.AddDays(8)), Now);
        var expiring = StatusMapping.ToWire(valid, state, Context(Now.AddDays(6)), Now.AddMinutes(1));
        var later = StatusMapping.ToWire(expiring, state, Context(Now.AddDays(6)), Now.AddHours(1));
        var withoutCertificate = Map(null, state, 1, Now);

        Assert.Equal("False", valid.Conditions!.Single(c => c.Type == ConditionTypes.ClientCertificateExpiring).Status);
        var turned = expiring.Conditions!.Single(c => c.Type == ConditionTypes.ClientCertificateExpiring);
        Assert.Equal("True", turned.Status);
        Assert.Equal(Reasons.ClientCertificateExpiring, turned.Reason);
        Assert.Contains("expires at 2026-11-30T09:14:03Z", turned.Message, StringComparison.Ordinal);
        Assert.Equal(turned.LastTransitionTime, later.Conditions!.Single(c => c.Type == ConditionTypes.ClientCertificateExpiring).LastTransitionTime);
        Assert.DoesNotContain(withoutCertificate.Conditions!, c => c.Type == ConditionTypes.ClientCertificateExpiring);
    }

    [Fact]
    public void The_expiry_source_is_published_and_read_back_on_resume()
    {
        var token = new TokenTimes(Now.AddHours(1), Now, Now.AddMinutes(48)) { ExpirySource = ExpirySources.Jwt };

        var status = Map(null, State(WorkloadPhase.Running, Reasons.TokenIssued, "ok", token), 1, Now);

        Assert.Equal("jwt", status.Token!.ExpirySource);
        Assert.Equal(ExpirySources.Jwt, StatusMapping.FromWire(status)!.Token.ExpirySource);
    }

    [Fact]
    public void Refresh_token_expiry_is_published_in_whole_seconds()
    {
        var token = new TokenTimes(Now.AddHours(1), Now, Now.AddMinutes(48)) { RefreshTokenExpiresAt = Now.AddMinutes(30) };

        var status = Map(null, State(WorkloadPhase.Running, Reasons.TokenIssued, "ok", token), 1, Now);

        Assert.Equal(new DateTime(2026, 11, 24, 9, 44, 3, DateTimeKind.Utc), status.Token!.RefreshTokenExpiresAt);
    }

    [Fact]
    public void Without_a_stated_refresh_token_lifetime_there_is_no_refresh_token_condition()
    {
        var status = Map(null, State(WorkloadPhase.Running, Reasons.TokenIssued, "ok", new TokenTimes(Now.AddHours(1), Now, Now.AddMinutes(48))), 1, Now);

        Assert.DoesNotContain(status.Conditions!, c => c.Type == ConditionTypes.RefreshTokenExpiring);
    }

    [Fact]
    public void A_refresh_token_end_the_refresh_did_not_extend_turns_RefreshTokenExpiring_true()
    {
        var end = Now.AddHours(10);
        TokenTimes Token(DateTimeOffset refreshedAt) => new(refreshedAt.AddMinutes(5), refreshedAt, refreshedAt.AddMinutes(4)) { RefreshTokenExpiresAt = end };
        var first = Map(null, State(WorkloadPhase.Running, Reasons.TokenIssued, "ok", Token(Now)), 1, Now);

        var second = Map(first, State(WorkloadPhase.Running, Reasons.TokenIssued, "ok", Token(Now.AddMinutes(4))), 1, Now.AddMinutes(4));

        Assert.Equal("False", first.Conditions!.Single(c => c.Type == ConditionTypes.RefreshTokenExpiring).Status);
        var expiring = second.Conditions!.Single(c => c.Type == ConditionTypes.RefreshTokenExpiring);
        Assert.Equal("True", expiring.Status);
        Assert.Equal(Reasons.RefreshTokenExpiring, expiring.Reason);
        Assert.Contains("credentials Secret", expiring.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AuthRetrying_condition_starts_exactly_at_the_retry_start()
    {
        var started = Now.AddSeconds(-30);
        var running = Map(null, State(WorkloadPhase.Running, Reasons.TokenIssued, "ok"), 1, Now.AddHours(-1));
        var state = State(WorkloadPhase.AuthRetrying, Reasons.TokenEndpointUnavailable, "HTTP 503", retry: new AuthRetryInfo(started, started.AddHours(24), 0, null, started.AddMinutes(10), "HTTP 503"));

        var status = Map(running, state, 1, Now, tick: TimeSpan.FromMinutes(10));

        var condition = status.Conditions!.Single(c => c.Type == ConditionTypes.AuthRetrying);
        Assert.Equal("True", condition.Status);
        Assert.Equal(Reasons.TransientFailure, condition.Reason);
        Assert.Equal(RetryMessages.RetryingUntil(TimeSpan.FromMinutes(10), started.AddHours(24)), condition.Message);
        Assert.Equal(status.AuthRetry!.StartedAt, condition.LastTransitionTime);
        Assert.Equal(status.AuthRetry.StartedAt!.Value.AddHours(24), status.AuthRetry.Deadline);
    }

    [Fact]
    public void An_unchanged_condition_keeps_its_transition_time()
    {
        var first = Map(null, State(WorkloadPhase.Running, Reasons.TokenIssued, "ok"), 1, Now);
        var later = Map(first, State(WorkloadPhase.Running, Reasons.TokenIssued, "ok"), 1, Now.AddHours(2));

        Assert.Equal(
            first.Conditions!.Single(c => c.Type == ConditionTypes.Ready).LastTransitionTime,
            later.Conditions!.Single(c => c.Type == ConditionTypes.Ready).LastTransitionTime);
        Assert.True(StatusMapping.SameAs(first, later));
    }

    [Fact]
    public void A_changed_phase_is_not_the_same_status()
    {
        var running = Map(null, State(WorkloadPhase.Running, Reasons.TokenIssued, "ok"), 1, Now);
        var failed = Map(running, State(WorkloadPhase.Failed, Reasons.InvalidSpec, "spec.url: required"), 2, Now);

        Assert.False(StatusMapping.SameAs(running, failed));
        Assert.False(StatusMapping.SameAs(null, failed));
    }

    [Fact]
    public void A_status_read_back_is_the_state_that_was_written_in_whole_seconds()
    {
        var started = Now.AddMinutes(-7);
        var state = State(
            WorkloadPhase.AuthRetrying,
            Reasons.TokenEndpointUnavailable,
            "HTTP 503 from idp.example.com",
            new TokenTimes(Now.AddMinutes(20), Now.AddMinutes(-40), null) { RefreshTokenExpiresAt = Now.AddDays(30) },
            new AuthRetryInfo(started, started.AddHours(24), 3, Now.AddMinutes(-1), Now.AddMinutes(9), "HTTP 503 from idp.example.com")) with
        {
            DiscoveredIssuer = "https://idp.example.com",
            DiscoveredTokenEndpoint = new Uri("https://idp.example.com/oauth/token"),
        };

        var read = StatusMapping.FromWire(Map(null, state, 4, Now, TimeSpan.FromMinutes(10)))!;

        static DateTimeOffset Whole(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        Assert.Equal(state.Phase, read.Phase);
        Assert.Equal(state.Reason, read.Reason);
        Assert.Equal(state.Message, read.Message);
        Assert.Equal(new TokenTimes(Whole(Now.AddMinutes(20)), Whole(Now.AddMinutes(-40)), null) { RefreshTokenExpiresAt = Whole(Now.AddDays(30)) }, read.Token);
        Assert.Equal(new AuthRetryInfo(Whole(started), Whole(started.AddHours(24)), 3, Whole(Now.AddMinutes(-1)), Whole(Now.AddMinutes(9)), "HTTP 503 from idp.example.com"), read.AuthRetry);
        Assert.Equal(state.DiscoveredIssuer, read.DiscoveredIssuer);
        Assert.Equal(state.DiscoveredTokenEndpoint, read.DiscoveredTokenEndpoint);
    }

    [Fact]
    public void A_retry_window_whose_deadline_went_missing_is_read_back_with_its_start()
    {
        var started = new DateTime(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc);

        var read = StatusMapping.FromWire(new RemoteWorkloadStatus { Phase = WorkloadPhase.AuthRetrying, AuthRetry = new AuthRetryStatus { StartedAt = started, Attempts = 4 } })!;

        Assert.Equal(new DateTimeOffset(started), read.AuthRetry!.StartedAt);
        Assert.Equal(4, read.AuthRetry.Attempts);
    }

    [Fact]
    public void A_workload_without_a_phase_has_nothing_to_resume()
    {
        Assert.Null(StatusMapping.FromWire(null));
        Assert.Null(StatusMapping.FromWire(new RemoteWorkloadStatus { LastHandledRetryRequest = "x" }));
    }

    [Fact]
    public void The_merge_patch_clears_fields_that_vanished()
    {
        var started = Now.UtcDateTime;
        var retrying = new RemoteWorkloadStatus
        {
            Phase = WorkloadPhase.AuthRetrying,
            AuthRetry = new AuthRetryStatus { StartedAt = started },
            Conditions = [new V1Condition { Type = ConditionTypes.Ready, Status = "False", Reason = "x", Message = "y", LastTransitionTime = started }],
        };
        var recovered = new RemoteWorkloadStatus { Phase = WorkloadPhase.Running };

        var patch = StatusWriter.Diff(retrying, recovered);

        Assert.Equal("Running", (string?)patch["phase"]);
        Assert.True(patch.ContainsKey("authRetry"));
        Assert.Null(patch["authRetry"]);
        Assert.True(patch.ContainsKey("conditions"));
        Assert.Null(patch["conditions"]);
    }
}
