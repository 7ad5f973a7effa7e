using CsCheck;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// The invariants of docs/token-monitor.md's transition table: for any sequence of IdP outcomes, clock advances, triggers and restarts, the invariants hold:
/// at most one request in flight; the phase only changes along the table's rows; no workload stays AuthRetrying past
/// its deadline; no status write without a change.
/// </summary>
public sealed class TokenMonitorPropertyTests
{
    private static readonly HashSet<(WorkloadPhase From, WorkloadPhase To)> AllowedTransitions =
    [
        (WorkloadPhase.Pending, WorkloadPhase.Running), // first token
        (WorkloadPhase.Running, WorkloadPhase.AuthRetrying), // retrying starts
        (WorkloadPhase.Pending, WorkloadPhase.AuthRetrying), // retrying starts, before the first token
        (WorkloadPhase.AuthRetrying, WorkloadPhase.Running), // recovered
        (WorkloadPhase.AuthRetrying, WorkloadPhase.Unauthenticated), // ceiling, rejected
        (WorkloadPhase.Running, WorkloadPhase.Unauthenticated), // rejected
        (WorkloadPhase.Pending, WorkloadPhase.Unauthenticated), // rejected
        (WorkloadPhase.Unauthenticated, WorkloadPhase.Running), // trigger, or a probe after the ceiling succeeds
        (WorkloadPhase.Unauthenticated, WorkloadPhase.AuthRetrying), // trigger, then retrying starts
        (WorkloadPhase.Unauthenticated, WorkloadPhase.Unauthenticated), // trigger or probe, then rejected with another cause
    ];

    private static readonly MonitorTiming Timing = new()
    {
        StartupSpread = TimeSpan.FromSeconds(3),
        PreExpiryLead = TimeSpan.FromSeconds(30),
        Retry = new RetryPolicy
        {
            InitialInterval = TimeSpan.FromSeconds(1),
            MaxInterval = TimeSpan.FromSeconds(4),
            MaxAttempts = 3,
            MaxElapsed = TimeSpan.FromSeconds(20),
            TickInterval = TimeSpan.FromSeconds(60),
            Ceiling = TimeSpan.FromMinutes(10),
            ProbeInterval = TimeSpan.FromMinutes(2),
        },
    };

    [Fact]
    public void Invariants_hold_for_any_outcome_and_clock_sequence()
    {
        var outcomes = Gen.Int[0, 99].Array[1, 30];
        var steps = Gen.Select(Gen.Int[0, 400], Gen.Int[0, 9]).Array[1, 25];
        var triggersDuringFlight = 0;
        Gen.Select(outcomes, steps, Gen.Int).Sample(
            (answers, plan, seed) => Interlocked.Add(ref triggersDuringFlight, Run(answers, plan, seed).GetAwaiter().GetResult()),
            iter: 150);

        // The held requests must really have overlapped triggers, or single flight was never put to the test.
        Assert.True(triggersDuringFlight > 0, "no trigger arrived while a request was outstanding");
    }

    /// <summary>Runs one plan; returns how many triggers arrived while a request was outstanding.</summary>
    private static async Task<int> Run(int[] answers, (int Seconds, int Action)[] plan, int seed)
    {
        var triggersDuringFlight = 0;
        var random = new Random(seed);
        await using var h = new Harness(Timing, jitter: random.NextDouble(), clientId: "mcp-operator");
        var checker = new InvariantChecker();
        var next = 0;
        h.Client.Fallback = () =>
        {
            var pick = next < answers.Length ? answers[next++] : 0;
            return pick switch
            {
                < 35 => h.Client.Token(TimeSpan.FromSeconds(pick < 10 ? 20 : pick < 20 ? 300 : 3600), rotate: pick % 2 == 0),
                < 38 => h.Client.Token(null),
                < 75 => Failures.Transient(),
                < 85 => Failures.RateLimited(TimeSpan.FromSeconds(pick * 3)),
                _ => Failures.InvalidGrant(),
            };
        };

        h.Monitor.Start();
        checker.Check(h);
        foreach (var (seconds, action) in plan)
        {
            h.Jitter.Value = random.NextDouble();
            if (action is 0 or 1 && h.Client.InFlight > 0)
            {
                triggersDuringFlight++;
            }

            switch (action)
            {
                case 0:
                    h.Monitor.RetryRequested();
                    break;
                case 1:
                    h.Credentials.Version = "v" + random.Next(3);
                    h.Monitor.CredentialsChanged();
                    break;
                case 2:
                    _ = h.Monitor.Status;
                    break;
                case 3:
                    Release(h);
                    await h.RestartAsync();
                    break;
                case 4:
                    // The IdP stops answering: the next request stays in flight while triggers and the clock go on,
                    // so single flight is tested against a request that really is outstanding.
                    h.Client.Gate ??= new TaskCompletionSource();
                    break;
                case 5:
                    Release(h);
                    break;
            }

            checker.Check(h);
            for (var i = 0; i < seconds; i++)
            {
                h.Advance(TimeSpan.FromSeconds(1));
                checker.Check(h);
            }
        }

        Release(h);
        checker.Check(h);
        return triggersDuringFlight;
    }

    // The gate's continuations run inline (no RunContinuationsAsynchronously), so when SetResult returns the released
    // flight has gone as far as it can without the clock, as a synchronous answer would have.
    private static void Release(Harness h)
    {
        if (h.Client.Gate is { } gate)
        {
            h.Client.Gate = null;
            gate.SetResult();
        }
    }

    private sealed class InvariantChecker
    {
        private int _checked;
        private MonitorStatus _previous = MonitorStatus.Fresh with { Message = string.Empty };

        public void Check(Harness h)
        {
            Assert.True(h.Client.MaxInFlight <= 1, "more than one request in flight");

            for (; _checked < h.Updates.Count; _checked++)
            {
                var update = h.Updates[_checked];
                var previous = _previous;
                var status = update.Status;
                switch (update.Kind)
                {
                    case StatusUpdateKind.Transition:
                        Assert.Contains((previous.Phase, status.Phase), AllowedTransitions);
                        Assert.True(previous.Phase != status.Phase || previous.Reason != status.Reason || previous.Message != status.Message, "transition without a change");
                        break;
                    case StatusUpdateKind.TokenTimes:
                        Assert.Equal(WorkloadPhase.Running, previous.Phase);
                        Assert.Equal(WorkloadPhase.Running, status.Phase);
                        // The one event a refresh may carry: the IdP started issuing tokens shorter than the refresh floor.
                        Assert.True(update.Event is null || (update.Event.Reason == Reasons.ShortTokenLifetime && previous.ShortTokenLifetime is null), "a refresh with an event");
                        Assert.NotEqual(previous.Token, status.Token);
                        break;
                    case StatusUpdateKind.RetryProgress:
                        // A failed tick, or a failed probe after the ceiling: the phase stays either way.
                        Assert.Contains((previous.Phase, previous.Reason), new[] { (WorkloadPhase.AuthRetrying, Reasons.TokenEndpointUnavailable), (WorkloadPhase.Unauthenticated, Reasons.CeilingExceeded) });
                        Assert.Equal(previous.Phase, status.Phase);
                        Assert.Null(update.Event);
                        Assert.NotEqual(previous.AuthRetry, status.AuthRetry);
                        Assert.Equal(previous.AuthRetry?.Deadline ?? status.AuthRetry!.Deadline, status.AuthRetry!.Deadline);
                        break;
                    case StatusUpdateKind.EventOnly:
                        Assert.Equal(previous.Phase, status.Phase);
                        Assert.NotNull(update.Event);
                        break;
                }

                if (status.Phase == WorkloadPhase.AuthRetrying)
                {
                    var retry = status.AuthRetry!;
                    Assert.Equal(retry.StartedAt + Timing.Retry.Ceiling, retry.Deadline);
                    Assert.True(retry.NextAttemptTime <= retry.Deadline, "next attempt scheduled past the deadline");
                }

                _previous = status;
            }

            var phase = h.Monitor.Phase;
            if (h.Client.InFlight > 0)
            {
                // A request outstanding past the deadline keeps the phase until its answer: nothing is cancelled mid-flight.
                return;
            }

            if (phase == WorkloadPhase.AuthRetrying)
            {
                var current = h.Monitor.Status;
                // One step of tolerance: the fake clock is advanced in 1 s steps.
                Assert.True(h.Now <= current.AuthRetry!.Deadline + h.Step, $"AuthRetrying at {h.Now:O} past the deadline {current.AuthRetry.Deadline:O}");
            }

            if (h.Updates.Count > 0)
            {
                Assert.Equal(h.Updates[^1].Status.Phase, phase);
            }
        }
    }
}
