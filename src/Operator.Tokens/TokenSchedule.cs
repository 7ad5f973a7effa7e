using RemoteWorkloadOperator.Entities;
namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// The timing rules of docs/token-monitor.md as pure functions of (times, options, one jitter sample <c>u</c> in [0, 1)).
/// <c>u = 0.5</c> means no jitter for the symmetric jitters.
/// </summary>
internal static class TokenSchedule
{
    /// <summary>Refresh jitter: ±10 % of the remaining time.</summary>
    public const double RefreshJitter = 0.10;

    /// <summary>AuthRetrying tick jitter: ±10 % of the tick.</summary>
    public const double TickJitter = 0.10;

    /// <summary>Short-retry jitter: ±50 % of the wait.</summary>
    public const double ShortRetryJitter = 0.50;

    /// <summary>A refresh is never scheduled closer than this to now.</summary>
    public static readonly TimeSpan MinimumRefreshDelay = TimeSpan.FromSeconds(1);

    /// <summary>A refresh is never scheduled later than this before expiry.</summary>
    public static readonly TimeSpan ExpirySafetyMargin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Next refresh: <c>issued + min(f × L, max(L − beforeExpiry, L / 2))</c>, jittered by ±10 % of the remaining time,
    /// then no later than <c>expiry − propagation</c> unless that is before half the lifetime,
    /// never earlier than 1 s from now and never past expiry − 5 s, except that it is never earlier than
    /// <paramref name="minimumInterval"/> after issue (that floor wins over expiry: a token shorter than it is refreshed
    /// at the floor, and the ShortTokenLifetime condition says so). A token without expiry gets
    /// <paramref name="tickInterval"/> as its lifetime.
    /// </summary>
    public static DateTimeOffset NextRefresh(
        DateTimeOffset issuedAt, DateTimeOffset? expiresAt, DateTimeOffset now, RefreshPolicy refresh, TimeSpan tickInterval, double u, TimeSpan minimumInterval = default, TimeSpan propagation = default)
    {
        ArgumentNullException.ThrowIfNull(refresh);
        var expiry = expiresAt ?? issuedAt + tickInterval;
        var lifetime = expiry - issuedAt;
        var floor = issuedAt + minimumInterval;
        var earliest = now + MinimumRefreshDelay > floor ? now + MinimumRefreshDelay : floor;
        if (lifetime <= TimeSpan.Zero)
        {
            return earliest;
        }

        var byFraction = lifetime * refresh.LifetimeFraction;
        var byMargin = Max(lifetime - refresh.BeforeExpiry, lifetime / 2);
        var planned = issuedAt + Min(byFraction, byMargin);

        var remaining = planned - now;
        if (remaining > TimeSpan.Zero)
        {
            planned += remaining * (Symmetric(u) * RefreshJitter);
        }

        // Consumers see a new token only when the kubelet has synced the mounted Secret: leave them that long.
        var forConsumers = issuedAt + Max(lifetime - propagation, lifetime / 2);
        if (planned > forConsumers)
        {
            planned = forConsumers;
        }

        var latest = expiry - ExpirySafetyMargin;
        if (planned > latest)
        {
            planned = latest;
        }

        return planned < earliest ? earliest : planned;
    }

    /// <summary>
    /// The wait before short-retry attempt <paramref name="failures"/> + 1, or null when the short retry is exhausted
    /// (more than <c>maxAttempts</c> retries, or the wait would pass <c>maxElapsed</c>). Exponential from
    /// <c>initialInterval</c>, factor 2, ±50 % jitter, capped at <c>maxInterval</c>; <c>Retry-After</c> is a floor
    /// capped at the tick interval.
    /// </summary>
    /// <param name="failures">Failed attempts so far (1 after the first failure).</param>
    /// <param name="elapsed">Time since the short retry started.</param>
    /// <param name="retryAfter">The last answer's <c>Retry-After</c>.</param>
    /// <param name="retry">Options.</param>
    /// <param name="u">Jitter sample.</param>
    public static TimeSpan? ShortRetryDelay(int failures, TimeSpan elapsed, TimeSpan? retryAfter, RetryPolicy retry, double u)
    {
        ArgumentNullException.ThrowIfNull(retry);
        if (failures < 1 || failures > retry.MaxAttempts)
        {
            return null;
        }

        var exponent = Math.Min(failures - 1, 30);
        var baseSeconds = Math.Min(retry.InitialInterval.TotalSeconds * Math.Pow(2, exponent), retry.MaxInterval.TotalSeconds);
        var wait = TimeSpan.FromSeconds(baseSeconds * (1 + (Symmetric(u) * ShortRetryJitter)));
        if (wait > retry.MaxInterval)
        {
            wait = retry.MaxInterval;
        }

        wait = ApplyRetryAfter(wait, retryAfter, retry.TickInterval);
        return elapsed + wait > retry.MaxElapsed ? null : wait;
    }

    /// <summary>
    /// Next AuthRetrying attempt: <c>now + tick ± 10 %</c>; brought forward to 30 s before a still-valid token expires;
    /// never sooner than <c>Retry-After</c> (capped at the tick); moved to the deadline when it would land past it.
    /// </summary>
    public static DateTimeOffset NextTick(
        DateTimeOffset now,
        DateTimeOffset deadline,
        TimeSpan tickInterval,
        TimeSpan? retryAfter,
        DateTimeOffset? tokenExpiresAt,
        TimeSpan preExpiryLead,
        double u) =>
        Tick(now, tickInterval * (1 + (Symmetric(u) * TickJitter)), deadline, tickInterval, retryAfter, tokenExpiresAt, preExpiryLead);

    /// <summary>
    /// The first AuthRetrying attempt after the short retry gave up: anywhere in one whole tick (full jitter,
    /// <c>now + tick × u</c>; with <c>Retry-After</c>, <c>now + retryAfter + tick × u</c>), with the rules of
    /// <see cref="NextTick"/> otherwise. A fleet that failed together (an IdP outage) enters
    /// AuthRetrying within the same seconds; ±10 % would keep its ticks in a band a fifth of the tick wide for the whole
    /// outage, full jitter spreads them over the tick once, and the later ±10 % ticks keep them spread.
    /// </summary>
    public static DateTimeOffset FirstTick(
        DateTimeOffset now,
        DateTimeOffset deadline,
        TimeSpan tickInterval,
        TimeSpan? retryAfter,
        DateTimeOffset? tokenExpiresAt,
        TimeSpan preExpiryLead,
        double u)
    {
        // Retry-After (capped at the tick) is the floor, and the spread above it is a whole tick wide: spread only over
        // what is left of the tick, a fleet told "7 s" on a 10 s tick would share 3 s of every 10 for the whole outage.
        var floor = retryAfter is { } ra ? (ra > tickInterval ? tickInterval : ra) : TimeSpan.Zero;
        var wait = floor + (tickInterval * Math.Clamp(u, 0, 1));
        return Tick(now, wait, deadline, tickInterval, retryAfter, tokenExpiresAt, preExpiryLead);
    }

    private static DateTimeOffset Tick(
        DateTimeOffset now,
        TimeSpan wait,
        DateTimeOffset deadline,
        TimeSpan tickInterval,
        TimeSpan? retryAfter,
        DateTimeOffset? tokenExpiresAt,
        TimeSpan preExpiryLead)
    {
        var next = now + wait;
        if (tokenExpiresAt is { } expiry)
        {
            var beforeExpiry = expiry - preExpiryLead;
            if (beforeExpiry > now && beforeExpiry < next)
            {
                next = beforeExpiry;
            }
        }

        next = now + ApplyRetryAfter(next - now, retryAfter, tickInterval);
        if (next > deadline)
        {
            next = deadline;
        }

        return next < now ? now : next;
    }

    /// <summary><c>Retry-After</c> lengthens a wait, never shortens it, and is capped at the tick interval.</summary>
    public static TimeSpan ApplyRetryAfter(TimeSpan wait, TimeSpan? retryAfter, TimeSpan tickInterval)
    {
        if (retryAfter is not { } ra)
        {
            return wait;
        }

        var floor = ra > tickInterval ? tickInterval : ra;
        return wait < floor ? floor : wait;
    }

    /// <summary>
    /// The next probe after the ceiling: <c>now + interval × (1 + 0.1 u)</c>. The jitter only lengthens the wait, so the
    /// IdP hears from the workload at most once per probe interval.
    /// </summary>
    public static DateTimeOffset NextProbe(DateTimeOffset now, TimeSpan probeInterval, double u) =>
        now + (probeInterval * (1 + (TickJitter * Math.Clamp(u, 0, 1))));

    /// <summary>The IdP's lifetime of a token when it is shorter than <paramref name="minimumInterval"/>; otherwise null.</summary>
    public static TimeSpan? ShortLifetime(DateTimeOffset issuedAt, DateTimeOffset? expiresAt, TimeSpan minimumInterval) =>
        expiresAt is { } expiry && expiry - issuedAt < minimumInterval ? expiry - issuedAt : null;

    /// <summary>
    /// A paced start: the spread slot (<c>now + spread × u</c>), but no sooner than the pacer's next free slot (or now),
    /// which then moves one <paramref name="interval"/> on. Over <c>n</c> starts due together this spreads them over
    /// <c>max(spread, n × interval)</c>.
    /// </summary>
    public static (DateTimeOffset Slot, DateTimeOffset NextFree) PacedStart(DateTimeOffset now, TimeSpan spread, double u, DateTimeOffset nextFree, TimeSpan interval)
    {
        var spreadSlot = now + StartupDelay(spread, u);
        var free = nextFree > now ? nextFree : now;
        return (spreadSlot > free ? spreadSlot : free, free + interval);
    }

    /// <summary>Start-up delay, uniform over the spread window.</summary>
    public static TimeSpan StartupDelay(TimeSpan spread, double u) => spread <= TimeSpan.Zero ? TimeSpan.Zero : spread * Math.Clamp(u, 0, 1);

    /// <summary>The AuthRetrying deadline: <c>startedAt + ceiling</c>.</summary>
    public static DateTimeOffset Deadline(DateTimeOffset startedAt, TimeSpan ceiling) => startedAt + ceiling;

    private static double Symmetric(double u) => (2 * Math.Clamp(u, 0, 1)) - 1;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
