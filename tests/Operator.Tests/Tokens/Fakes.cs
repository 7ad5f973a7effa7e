using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>Jitter that always answers the same value (0.5 = no jitter).</summary>
internal sealed class FixedJitter(double value = 0.5) : IJitterSource
{
    public double Value { get; set; } = value;

    public double NextDouble() => Value;
}

/// <summary>A scripted IdP: each request takes the next scripted answer (or the fallback), on the fake clock.</summary>
internal sealed class ScriptedTokenClient(FakeTimeProvider time) : ITokenEndpointClient
{
    private readonly ConcurrentQueue<Func<TokenRequestResult>> _script = new();
    private int _inFlight;
    private int _maxInFlight;
    private int _rotation;

    /// <summary>The answer once the script is empty.</summary>
    public Func<TokenRequestResult> Fallback { get; set; } = () => throw new InvalidOperationException("unscripted request");

    /// <summary>When set, requests wait for it (to hold a request in flight).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public List<(DateTimeOffset At, string? RefreshToken)> Requests { get; } = [];

    public List<string> Log { get; set; } = [];

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Requests sent and not answered yet.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public int Count
    {
        get
        {
            lock (Requests)
            {
                return Requests.Count;
            }
        }
    }

    public IReadOnlyList<DateTimeOffset> Times
    {
        get
        {
            lock (Requests)
            {
                return Requests.Select(r => r.At).ToList();
            }
        }
    }

    public ScriptedTokenClient Then(Func<TokenRequestResult> answer, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _script.Enqueue(answer);
        }

        return this;
    }

    public TokenRequestResult Token(TimeSpan? lifetime, bool rotate = false)
    {
        var now = time.GetUtcNow();
        var rt = rotate ? $"rt-rotated-{Interlocked.Increment(ref _rotation)}" : null;
        return TokenRequestResult.Success(new TokenGrant("at-" + now.ToUnixTimeSeconds(), "Bearer", now, lifetime is { } l ? now + l : null, "mcp:read", rt));
    }

    public async Task<TokenRequestResult> RequestTokenAsync(TokenMonitorConfig config, MonitorCredentials credentials, CancellationToken cancellationToken)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        int seen;
        while ((seen = Volatile.Read(ref _maxInFlight)) < inFlight && Interlocked.CompareExchange(ref _maxInFlight, inFlight, seen) != seen)
        {
        }

        try
        {
            lock (Requests)
            {
                Requests.Add((time.GetUtcNow(), credentials.RefreshToken));
                Log.Add($"request:{credentials.RefreshToken}");
            }

            if (Gate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            return _script.TryDequeue(out var next) ? next() : Fallback();
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}

internal static class Failures
{
    public static TokenRequestResult Transient(TimeSpan? retryAfter = null) =>
        TokenRequestResult.Failed(TokenFailureClassifier.Classify(new HttpAnswer(503, "text/html", "<html/>", retryAfter))!);

    public static TokenRequestResult RateLimited(TimeSpan retryAfter) =>
        TokenRequestResult.Failed(TokenFailureClassifier.Classify(new HttpAnswer(429, null, string.Empty, retryAfter))!);

    public static TokenRequestResult InvalidGrant() =>
        TokenRequestResult.Failed(TokenFailureClassifier.Classify(new HttpAnswer(400, "application/json", """{"error":"invalid_grant","error_description":"revoked"}"""))!);
}

internal sealed class FakeCredentials : ICredentialsSource
{
    public string Version { get; set; } = "v1";

    public string? RefreshToken { get; set; } = "rt-input";

    public bool Missing { get; set; }

    /// <summary>The refresh token's lineage; null = the version (as when only the refresh token can change).</summary>
    public string? Lineage { get; set; }

    public ValueTask<MonitorCredentials> GetAsync(CancellationToken cancellationToken) =>
        Missing
            ? throw new CredentialsUnavailableException("SecretNotFound", "Secret idp-creds not found")
            : ValueTask.FromResult(new MonitorCredentials(Version, "secret", RefreshToken) { Lineage = Lineage });
}

internal sealed class RecordingPorts(List<string> log) : IRotatedRefreshTokenSink, ITokenPublisher, IStatusSink
{
    public List<PublishedToken> Published { get; } = [];

    public List<RotatedRefreshToken> Rotated { get; } = [];

    public List<StatusUpdate> Updates { get; } = [];

    public int FailRotatedStores { get; set; }

    /// <summary>When set, status writes wait for it (a slow API server).</summary>
    public TaskCompletionSource? StatusGate { get; set; }

    public ValueTask StoreAsync(RotatedRefreshToken rotated, CancellationToken cancellationToken)
    {
        lock (log)
        {
            log.Add($"store:{rotated.RefreshToken}");
            if (FailRotatedStores > 0)
            {
                FailRotatedStores--;
                throw new InvalidOperationException("conflict");
            }

            Rotated.Add(rotated);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask PublishAsync(PublishedToken token, CancellationToken cancellationToken)
    {
        lock (log)
        {
            log.Add($"publish:{token.AccessToken}");
            Published.Add(token);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(StatusUpdate update, CancellationToken cancellationToken)
    {
        lock (log)
        {
            log.Add($"status:{update.Kind}:{update.Status.Phase}");
            Updates.Add(update);
        }

        return StatusGate is { } gate ? new ValueTask(gate.Task.WaitAsync(cancellationToken)) : ValueTask.CompletedTask;
    }
}

/// <summary>One monitor on a fake clock with scripted IdP and recording ports.</summary>
internal sealed class Harness : IAsyncDisposable
{
    public static readonly DateTimeOffset Epoch = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    public Harness(MonitorTiming? timing = null, double jitter = 0.5, string? clientId = "mcp-operator", Func<FakeTimeProvider, TimeProvider>? monitorClock = null)
    {
        Time = new FakeTimeProvider(Epoch);
        MonitorClock = monitorClock?.Invoke(Time) ?? Time;
        Client = new ScriptedTokenClient(Time) { Log = Log };
        Ports = new RecordingPorts(Log);
        Jitter = new FixedJitter(jitter);
        Config = new TokenMonitorConfig
        {
            WorkloadKey = "team-a/sourcegraph",
            TokenEndpoint = new Uri("https://idp.example.com/oauth/token"),
            ClientId = clientId,
            Timing = timing ?? new MonitorTiming { StartupSpread = TimeSpan.Zero },
        };
        Monitor = new TokenMonitor(Config, Client, new TokenMonitorPorts(Credentials, Ports, Ports, Ports), MonitorClock, Jitter);
    }

    /// <summary>The clock the monitor sees: the fake clock itself, or a wrapper around it.</summary>
    public TimeProvider MonitorClock { get; }

    /// <summary>Stops the monitor quietly and starts a new one from the last written status (a leader change).</summary>
    public async Task RestartAsync()
    {
        await Monitor.StopAsync();
        // Through the status the operator writes and reads back, exactly as a restart or a new leader sees it.
        var resume = Ports.Updates.Count == 0 ? null : StatusMapping.FromWire(Persisted(Ports.Updates[^1].Status));
        Monitor = new TokenMonitor(Config, Client, new TokenMonitorPorts(Credentials, Ports, Ports, Ports), MonitorClock, Jitter);
        Monitor.Start(resume);
    }

    /// <summary>The status the operator would write for <paramref name="state"/> (what the next owner reads back).</summary>
    public RemoteWorkloadStatus Persisted(MonitorStatus state, RemoteWorkloadStatus? previous = null) =>
        StatusMapping.ToWire(previous, state, new StatusContext(1, TokenSecretName: "sourcegraph-token", TickInterval: Config.Timing.Retry.TickInterval), Now);

    /// <summary>The condition of <paramref name="type"/> the operator would write for <paramref name="state"/>.</summary>
    public k8s.Models.V1Condition Condition(MonitorStatus state, string type, RemoteWorkloadStatus? previous = null) =>
        Persisted(state, previous).Conditions!.Single(c => c.Type == type);

    /// <summary>Starts the monitor from a persisted status, through the mapping production resumes with.</summary>
    public void StartFrom(RemoteWorkloadStatus persisted) => Monitor.Start(StatusMapping.FromWire(persisted));

    public FakeTimeProvider Time { get; }

    public List<string> Log { get; } = [];

    public ScriptedTokenClient Client { get; }

    public FakeCredentials Credentials { get; } = new();

    public RecordingPorts Ports { get; }

    public FixedJitter Jitter { get; }

    public TokenMonitorConfig Config { get; }

    public TokenMonitor Monitor { get; private set; }

    public DateTimeOffset Now => Time.GetUtcNow();

    public List<StatusUpdate> Updates => Ports.Updates;

    public StatusUpdate LastUpdate => Ports.Updates[^1];

    public List<StatusUpdate> Transitions => Ports.Updates.Where(u => u.Kind == StatusUpdateKind.Transition).ToList();

    /// <summary>
    /// Advances the fake clock in steps of at most <see cref="Step"/>. FakeTimeProvider fires an overdue timer with the
    /// clock already at the end of the jump, so one big jump would look like a very late timer; small steps make every
    /// timer fire on (or within one step of) its due time, as real timers do.
    /// </summary>
    public void Advance(TimeSpan by) => AdvanceTo(Now + by);

    /// <summary>Step size of <see cref="Advance"/>.</summary>
    public TimeSpan Step { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Advances to an absolute time in steps.</summary>
    public void AdvanceTo(DateTimeOffset at)
    {
        while (Now < at)
        {
            var step = at - Now;
            Time.Advance(step < Step ? step : Step);
        }
    }

    public ValueTask DisposeAsync() => Monitor.DisposeAsync();
}

/// <summary>The fake clock, plus the power to run a timer's callback before it is due (a callback already queued when
/// its work was rescheduled, as real timers can deliver).</summary>
internal sealed class EarlyFiringClock(FakeTimeProvider inner) : TimeProvider
{
    private readonly List<(TimerCallback Callback, object? State)> _timers = [];

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_timers)
        {
            _timers.Add((callback, state));
        }

        return inner.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Runs every timer callback created so far, now.</summary>
    public void FireAllEarly()
    {
        List<(TimerCallback Callback, object? State)> timers;
        lock (_timers)
        {
            timers = [.. _timers];
        }

        foreach (var (callback, state) in timers)
        {
            callback(state);
        }
    }
}

/// <summary>The fake clock, plus a barrier on timers being armed: a test can wait until the code under test armed a timer
/// for a given due time before it advances the clock, instead of racing the thread pool.</summary>
internal sealed class ArmWatchingClock(FakeTimeProvider inner) : TimeProvider
{
    private readonly List<(TimeSpan Due, TaskCompletionSource Armed)> _waiters = [];
    private readonly List<TimeSpan> _armed = [];

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Armed(dueTime);
        return new WatchedTimer(this, inner.CreateTimer(callback, state, dueTime, period));
    }

    /// <summary>Completes once a timer was armed (created or changed) for <paramref name="due"/>, now or earlier.</summary>
    public Task ArmedFor(TimeSpan due)
    {
        lock (_waiters)
        {
            if (_armed.Contains(due))
            {
                _armed.Remove(due);
                return Task.CompletedTask;
            }

            var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((due, armed));
            return armed.Task;
        }
    }

    private void Armed(TimeSpan due)
    {
        TaskCompletionSource? waiter = null;
        lock (_waiters)
        {
            var index = _waiters.FindIndex(w => w.Due == due);
            if (index >= 0)
            {
                waiter = _waiters[index].Armed;
                _waiters.RemoveAt(index);
            }
            else
            {
                _armed.Add(due);
            }
        }

        waiter?.TrySetResult();
    }

    private sealed class WatchedTimer(ArmWatchingClock clock, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            clock.Armed(dueTime);
            return inner.Change(dueTime, period);
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
