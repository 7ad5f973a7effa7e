using k8s.Models;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Publishing;

namespace RemoteWorkloadOperator.Tests.Publishing;

public sealed class StatusComposerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 14, 3, 456, TimeSpan.Zero);

    [Fact]
    public void Running_sets_ready_true_and_retrying_false()
    {
        var status = StatusComposer.Compose(null, new WorkloadFacts(WorkloadPhase.Running, Reasons.TokenIssued, "token issued"), 3, null, Now);

        Assert.Equal(WorkloadPhase.Running, status.Phase);
        Assert.Equal(3, status.ObservedGeneration);
        var ready = status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal("True", ready.Status);
        Assert.Equal(Reasons.TokenIssued, ready.Reason);
        Assert.Equal(new DateTime(2026, 11, 24, 9, 14, 3, DateTimeKind.Utc), ready.LastTransitionTime);
        Assert.Equal("False", status.Conditions!.Single(c => c.Type == ConditionTypes.AuthRetrying).Status);
    }

    [Fact]
    public void Refresh_token_expiry_is_published_in_whole_seconds()
    {
        var token = new TokenStatus { SecretName = "w-token", RefreshTokenExpiresAt = Now.AddMinutes(30).UtcDateTime };

        var status = StatusComposer.Compose(null, new WorkloadFacts(WorkloadPhase.Running, Reasons.TokenIssued, "ok", token), 1, null, Now);

        Assert.Equal(new DateTime(2026, 11, 24, 9, 44, 3, DateTimeKind.Utc), status.Token!.RefreshTokenExpiresAt);
    }

    [Fact]
    public void Without_a_stated_refresh_token_lifetime_there_is_no_refresh_token_condition()
    {
        var status = StatusComposer.Compose(null, new WorkloadFacts(WorkloadPhase.Running, Reasons.TokenIssued, "ok", new TokenStatus { SecretName = "w-token" }), 1, null, Now);

        Assert.DoesNotContain(status.Conditions!, c => c.Type == ConditionTypes.RefreshTokenExpiring);
    }

    [Fact]
    public void A_refresh_token_end_the_refresh_did_not_extend_turns_RefreshTokenExpiring_true()
    {
        var end = Now.AddHours(10).UtcDateTime;
        TokenStatus Token(DateTimeOffset refreshedAt) => new()
        {
            SecretName = "w-token",
            RefreshTokenExpiresAt = end,
            LastRefreshTime = refreshedAt.UtcDateTime,
            NextRefreshTime = refreshedAt.AddMinutes(4).UtcDateTime,
        };
        var first = StatusComposer.Compose(null, new WorkloadFacts(WorkloadPhase.Running, Reasons.TokenIssued, "ok", Token(Now)), 1, null, Now);

        var second = StatusComposer.Compose(first, new WorkloadFacts(WorkloadPhase.Running, Reasons.TokenIssued, "ok", Token(Now.AddMinutes(4))), 1, null, Now.AddMinutes(4));

        Assert.Equal("False", first.Conditions!.Single(c => c.Type == ConditionTypes.RefreshTokenExpiring).Status);
        var expiring = second.Conditions!.Single(c => c.Type == ConditionTypes.RefreshTokenExpiring);
        Assert.Equal("True", expiring.Status);
        Assert.Equal(Reasons.RefreshTokenExpiring, expiring.Reason);
        Assert.Contains("credentials Secret", expiring.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AuthRetrying_condition_starts_exactly_at_the_retry_start()
    {
        var started = Now.AddSeconds(-30).UtcDateTime;
        var running = StatusComposer.Compose(null, new WorkloadFacts(WorkloadPhase.Running, Reasons.TokenIssued, "ok"), 1, null, Now.AddHours(-1));
        var facts = new WorkloadFacts(
            WorkloadPhase.AuthRetrying,
            Reasons.TokenEndpointUnavailable,
            "HTTP 503",
            AuthRetry: new AuthRetryStatus { StartedAt = started, Deadline = started.AddHours(24), Attempts = 0 },
            RetryingMessage: "retrying every 10m");

        var status = StatusComposer.Compose(running, facts, 1, null, Now);

        var condition = status.Conditions!.Single(c => c.Type == ConditionTypes.AuthRetrying);
        Assert.Equal("True", condition.Status);
        Assert.Equal(Reasons.TransientFailure, condition.Reason);
        Assert.Equal("retrying every 10m", condition.Message);
        Assert.Equal(status.AuthRetry!.StartedAt, condition.LastTransitionTime);
        Assert.Equal(status.AuthRetry.StartedAt!.Value.AddHours(24), status.AuthRetry.Deadline);
    }

    [Fact]
    public void An_unchanged_condition_keeps_its_transition_time()
    {
        var first = StatusComposer.Compose(null, new WorkloadFacts(WorkloadPhase.Running, Reasons.TokenIssued, "ok"), 1, null, Now);
        var later = StatusComposer.Compose(first, new WorkloadFacts(WorkloadPhase.Running, Reasons.TokenIssued, "ok"), 1, null, Now.AddHours(2));

        Assert.Equal(
            first.Conditions!.Single(c => c.Type == ConditionTypes.Ready).LastTransitionTime,
            later.Conditions!.Single(c => c.Type == ConditionTypes.Ready).LastTransitionTime);
        Assert.True(StatusComposer.SameAs(first, later));
    }

    [Fact]
    public void A_changed_phase_is_not_the_same_status()
    {
        var running = StatusComposer.Compose(null, new WorkloadFacts(WorkloadPhase.Running, Reasons.TokenIssued, "ok"), 1, null, Now);
        var failed = StatusComposer.Compose(running, new WorkloadFacts(WorkloadPhase.Failed, Reasons.InvalidSpec, "spec.url: required"), 2, null, Now);

        Assert.False(StatusComposer.SameAs(running, failed));
        Assert.False(StatusComposer.SameAs(null, failed));
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
