namespace RemoteWorkloadOperator.Runtime;

/// <summary>
/// Per-key exponential backoff for failed reconciles (1s, 2s, 4s … capped at 5 min, ±20 %
/// jitter): an error always reschedules the key, and a key that keeps failing does not hammer
/// the API server. A success forgets the key.
/// </summary>
public sealed class ErrorBackoff(Random random)
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Cap = TimeSpan.FromMinutes(5);
    private readonly Dictionary<string, int> _failures = [];
    private readonly Lock _gate = new();

    /// <summary>Records a failure and returns how long to wait before the next attempt.</summary>
    public TimeSpan NextDelay(string key)
    {
        int failures;
        double sample;
        lock (_gate)
        {
            failures = _failures.TryGetValue(key, out var count) ? count + 1 : 1;
            _failures[key] = failures;
            sample = random.NextDouble();
        }

        return Backoff.Delay(failures, Base, Cap, jitter: 0.2, sample);
    }

    /// <summary>Forgets the failures of <paramref name="key"/> after a success.</summary>
    public void Reset(string key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }
}
