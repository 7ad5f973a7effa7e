using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// Stopping a monitor never loses a rotation: a sent token request and the persistence of its rotated refresh token
/// finish under the grace bound, because the IdP completes a refresh even when the client hangs up.
/// </summary>
public sealed class TokenMonitorStopTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public async Task A_stop_waits_for_the_sent_request_and_persists_its_rotated_refresh_token()
    {
        await using var h = new Harness();
        h.Client.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Client.Fallback = () => h.Client.Token(Hour, rotate: true);
        h.Monitor.Start();
        Assert.Equal(1, h.Client.Count);

        var stopping = h.Monitor.StopAsync();
        Assert.False(stopping.IsCompleted);
        h.Client.Gate.SetResult();
        await stopping;

        Assert.Equal("rt-rotated-1", Assert.Single(h.Ports.Rotated).RefreshToken);

        // A stopped monitor leaves publication and status to the next owner, which resumes from the persisted state.
        Assert.Empty(h.Ports.Published);
        Assert.Empty(h.Updates);
        Assert.Null(h.Monitor.Status.LastFailure);
    }

    [Fact]
    public async Task A_stop_abandons_a_sent_request_only_when_the_grace_bound_has_passed()
    {
        await using var h = new Harness();
        h.Client.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Client.Fallback = () => h.Client.Token(Hour, rotate: true);
        h.Monitor.Start();

        var stopping = h.Monitor.StopAsync();
        h.Advance(h.Config.Timing.FlightGrace - TimeSpan.FromSeconds(1));
        Assert.False(stopping.IsCompleted);
        h.Advance(TimeSpan.FromSeconds(1));
        await stopping;

        Assert.Empty(h.Updates);
        Assert.Equal(WorkloadPhase.Pending, h.Monitor.Phase);
        Assert.Null(h.Monitor.Status.LastFailure);
    }

    [Fact]
    public async Task A_stop_keeps_storing_a_rotation_whose_write_failed_until_it_lands_within_the_grace()
    {
        ArmWatchingClock? clock = null;
        await using var h = new Harness(monitorClock: fake => clock = new ArmWatchingClock(fake));
        h.Client.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Client.Fallback = () => h.Client.Token(Hour, rotate: true);
        h.Ports.FailRotatedStores = 3;
        h.Monitor.Start();

        var stopping = h.Monitor.StopAsync();
        h.Client.Gate.SetResult();

        // The write in the flight fails, and so do the stop's first two; the third, 1 s + 2 s later, lands.
        await Task.WhenAny(clock!.ArmedFor(TimeSpan.FromSeconds(1)), stopping);
        Assert.False(stopping.IsCompleted);
        h.Advance(TimeSpan.FromSeconds(1));
        await clock.ArmedFor(TimeSpan.FromSeconds(2));
        h.Advance(TimeSpan.FromSeconds(2));
        await stopping;

        Assert.Equal("rt-rotated-1", Assert.Single(h.Ports.Rotated).RefreshToken);
        Assert.Equal(4, h.Log.Count(l => l == "store:rt-rotated-1"));
        Assert.Empty(h.Updates);
    }

    [Fact]
    public async Task A_stop_stores_a_rotation_an_earlier_attempt_could_not_store()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => h.Client.Token(Hour, rotate: true);
        h.Ports.FailRotatedStores = 1;
        h.Monitor.Start();
        Assert.Empty(h.Ports.Rotated);

        // The short retry waits before it would write the held rotation again; the stop does not leave it in memory.
        await h.Monitor.StopAsync();

        Assert.Equal("rt-rotated-1", Assert.Single(h.Ports.Rotated).RefreshToken);
        Assert.Equal(1, h.Client.Count);
    }

    [Fact]
    public async Task A_rotation_still_unstored_when_the_grace_ends_is_reported_as_an_error_and_in_status_without_the_token()
    {
        var logger = new ExceptionRecordingLogger();
        var h = new Harness();
        var monitor = new TokenMonitor(h.Config, h.Client, new TokenMonitorPorts(h.Credentials, h.Ports, h.Ports, h.Ports), h.Time, h.Jitter, logger);
        h.Client.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Client.Fallback = () => h.Client.Token(Hour, rotate: true);
        h.Ports.FailRotatedStores = int.MaxValue;
        monitor.Start();

        var stopping = monitor.StopAsync();
        h.Client.Gate.SetResult();
        await monitor.WhenIdleAsync();
        h.Advance(h.Config.Timing.FlightGrace - TimeSpan.FromSeconds(1));
        Assert.False(stopping.IsCompleted);
        h.Advance(TimeSpan.FromSeconds(1));
        await stopping;

        var update = Assert.Single(h.Updates);
        Assert.Equal(StatusUpdateKind.RotationUnstored, update.Kind);
        Assert.Equal(h.Now, update.Status.RotationUnstoredAt);
        Assert.Equal(Reasons.RotationUnstored, update.Event!.Reason);
        Assert.Equal(WorkloadPhase.Pending, update.Status.Phase);
        var condition = h.Condition(update.Status, ConditionTypes.RotationUnstored);
        Assert.Equal(("True", Reasons.RotationUnstored), (condition.Status, condition.Reason));
        Assert.Equal(h.Now, StatusMapping.FromWire(h.Persisted(update.Status))!.RotationUnstoredAt);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("team-a/sourcegraph", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Messages, m => m.Contains("rt-rotated", StringComparison.Ordinal));
        Assert.DoesNotContain("rt-rotated", update.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_next_grant_clears_the_unstored_rotation_from_status()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => h.Client.Token(Hour);
        var persisted = new RemoteWorkloadStatus
        {
            Phase = WorkloadPhase.Running,
            Token = new TokenStatus { ExpiresAt = (h.Now - TimeSpan.FromSeconds(1)).UtcDateTime, LastRefreshTime = (h.Now - Hour).UtcDateTime },
            Conditions = [new k8s.Models.V1Condition { Type = ConditionTypes.RotationUnstored, Status = "True", Reason = Reasons.RotationUnstored, Message = "m", LastTransitionTime = (h.Now - TimeSpan.FromMinutes(1)).UtcDateTime }],
        };
        Assert.Equal(h.Now - TimeSpan.FromMinutes(1), StatusMapping.FromWire(persisted)!.RotationUnstoredAt);

        h.StartFrom(persisted);

        Assert.Null(h.LastUpdate.Status.RotationUnstoredAt);
        Assert.DoesNotContain(h.Persisted(h.LastUpdate.Status).Conditions!, c => c.Type == ConditionTypes.RotationUnstored);
    }

    [Fact]
    public async Task A_rotation_held_in_memory_survives_a_client_secret_change()
    {
        await using var h = new Harness();
        h.Credentials.Lineage = "input-rt-fingerprint";
        h.Ports.FailRotatedStores = 2;
        h.Client.Then(() => h.Client.Token(Hour, rotate: true)).Then(() => h.Client.Token(Hour, rotate: true));
        h.Monitor.Start();
        Assert.Equal(WorkloadPhase.Pending, h.Monitor.Phase);

        // A person rotates the client secret: the version changes, the refresh token's lineage does not.
        h.Credentials.Version = "v2";
        h.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, h.Client.Count);
        h.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal("rt-rotated-1", h.Client.Requests[1].RefreshToken);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
        Assert.Equal(["rt-rotated-1", "rt-rotated-2"], h.Ports.Rotated.Select(r => r.RefreshToken).ToArray());
    }

    [Fact]
    public async Task A_rotation_held_in_memory_is_dropped_when_a_person_replaces_the_refresh_token()
    {
        await using var h = new Harness();
        h.Credentials.Lineage = "old-input";
        h.Ports.FailRotatedStores = 1;
        h.Client.Then(() => h.Client.Token(Hour, rotate: true)).Then(() => h.Client.Token(Hour));
        h.Monitor.Start();

        h.Credentials.Lineage = "new-input";
        h.Credentials.RefreshToken = "rt-new-input";
        h.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal("rt-new-input", h.Client.Requests[1].RefreshToken);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task An_invalid_grant_right_after_start_rereads_the_credentials_and_retries_once()
    {
        await using var h = new Harness();
        h.Client.Then(() =>
        {
            // The previous owner stored its rotation after this monitor had read the credentials.
            h.Credentials.RefreshToken = "rt-stored-by-previous-owner";
            return Failures.InvalidGrant();
        }).Then(() => h.Client.Token(Hour));
        h.Monitor.Start();

        Assert.Equal(["rt-input", "rt-stored-by-previous-owner"], h.Client.Requests.Select(r => r.RefreshToken).ToArray());
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task An_invalid_grant_is_not_retried_when_the_credentials_did_not_change()
    {
        await using var h = new Harness();
        h.Client.Then(() => Failures.InvalidGrant());
        h.Monitor.Start();

        Assert.Equal(1, h.Client.Count);
        Assert.Equal(WorkloadPhase.Unauthenticated, h.Monitor.Phase);
    }

    [Fact]
    public async Task An_invalid_grant_later_than_the_grace_bound_after_start_is_final()
    {
        await using var h = new Harness();
        h.Client.Then(() => h.Client.Token(TimeSpan.FromMinutes(5))).Then(() =>
        {
            h.Credentials.RefreshToken = "rt-changed";
            return Failures.InvalidGrant();
        });
        h.Monitor.Start();
        h.Advance(TimeSpan.FromMinutes(4));

        Assert.Equal(2, h.Client.Count);
        Assert.Equal(WorkloadPhase.Unauthenticated, h.Monitor.Phase);
    }

    [Fact]
    public async Task No_refresh_token_request_is_sent_before_the_takeover_fence()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => h.Client.Token(Hour);
        var fence = Harness.Epoch + TimeSpan.FromSeconds(45);

        h.Monitor.Start(null, fence);
        h.Monitor.RetryRequested();
        h.AdvanceTo(fence - TimeSpan.FromSeconds(1));
        Assert.Equal(0, h.Client.Count);
        h.AdvanceTo(fence);

        Assert.Equal(fence, Assert.Single(h.Client.Times));
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }

    [Fact]
    public async Task An_AuthRetrying_deadline_inside_the_takeover_fence_sends_nothing_before_the_fence()
    {
        await using var h = new Harness();
        h.Client.Fallback = () => Failures.Transient();
        var fence = Harness.Epoch + TimeSpan.FromSeconds(45);
        var deadline = Harness.Epoch + TimeSpan.FromSeconds(10);
        var resume = StatusMapping.FromWire(new RemoteWorkloadStatus
        {
            Phase = WorkloadPhase.AuthRetrying,
            AuthRetry = new AuthRetryStatus { StartedAt = (deadline - h.Config.Timing.Retry.Ceiling).UtcDateTime, Deadline = deadline.UtcDateTime, NextAttemptTime = (deadline + TimeSpan.FromMinutes(1)).UtcDateTime },
        });

        // The previous leader may still be finishing a rotating request: the give-up attempt at the deadline waits too.
        h.Monitor.Start(resume, fence);
        h.AdvanceTo(fence - TimeSpan.FromSeconds(1));
        Assert.Equal(0, h.Client.Count);
        h.AdvanceTo(fence);

        Assert.Equal(fence, Assert.Single(h.Client.Times));
        Assert.Equal(Reasons.CeilingExceeded, h.Monitor.Status.Reason);
    }

    [Fact]
    public async Task A_failing_port_is_logged_by_type_without_the_exception_that_carries_the_request()
    {
        var logger = new ExceptionRecordingLogger();
        var h = new Harness();
        var monitor = new TokenMonitor(h.Config, h.Client, new TokenMonitorPorts(h.Credentials, h.Ports, new ThrowingPublisher(), h.Ports), h.Time, h.Jitter, logger);
        h.Client.Fallback = () => h.Client.Token(Hour);

        monitor.Start();
        await monitor.StopAsync();

        Assert.Contains(logger.Messages, m => m.Contains("token publisher", StringComparison.Ordinal) && m.Contains(nameof(HttpRequestException), StringComparison.Ordinal));
        Assert.Empty(logger.Exceptions);
        Assert.DoesNotContain(logger.Messages, m => m.Contains("at-", StringComparison.Ordinal));
    }

    /// <summary>A publisher whose failure carries the access token in its message, as a client exception can.</summary>
    private sealed class ThrowingPublisher : ITokenPublisher
    {
        public ValueTask PublishAsync(PublishedToken token, CancellationToken cancellationToken) =>
            throw new HttpRequestException($"PUT failed with body access_token={token.AccessToken}");
    }

    private sealed class ExceptionRecordingLogger : ILogger
    {
        public List<string> Messages { get; } = [];

        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public List<Exception> Exceptions { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add(formatter(state, exception));
                Entries.Add((logLevel, formatter(state, exception)));
                if (exception is not null)
                {
                    Exceptions.Add(exception);
                }
            }
        }
    }
}
