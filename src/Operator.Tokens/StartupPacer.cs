namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// Spreads the work that is due at once when monitors resume (after an operator outage longer than token lifetimes,
/// every Running workload's refresh is overdue) by how much of it there is, not over a constant window: the k-th due
/// start lands no sooner than <c>k / rate</c> after the first, so the window is <c>max(spread, due / rate)</c>. One
/// pacer is shared by every monitor of a process; when nothing was due for a while it lets work start within the
/// ordinary spread again.
/// </summary>
public sealed class StartupPacer
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _interval;
    private DateTimeOffset _nextFree = DateTimeOffset.MinValue;

    /// <summary>Creates a pacer that starts at most <paramref name="perSecond"/> due attempts per second (beyond the spread).</summary>
    public StartupPacer(double perSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        PerSecond = perSecond;
        _interval = TimeSpan.FromSeconds(1 / perSecond);
    }

    /// <summary>The rate this pacer starts due work at.</summary>
    public double PerSecond { get; }

    /// <summary>The slot of one start that is due at <paramref name="now"/>; <paramref name="u"/> places it in the spread.</summary>
    public DateTimeOffset Slot(DateTimeOffset now, TimeSpan spread, double u)
    {
        lock (_gate)
        {
            var (slot, nextFree) = TokenSchedule.PacedStart(now, spread, u, _nextFree, _interval);
            _nextFree = nextFree;
            return slot;
        }
    }
}
