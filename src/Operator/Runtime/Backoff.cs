namespace RemoteWorkloadOperator.Runtime;

/// <summary>
/// The one exponential backoff of the operator's Kubernetes side (failed reconciles, broken watches, status writes):
/// <c>first × 2^(failures − 1)</c>, capped, spread by ±<c>jitter</c> of itself so that failures that happened together
/// do not retry together. A pure function of one random sample, so each caller's table of waits is testable.
/// </summary>
public static class Backoff
{
    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row (1 for the first).</summary>
    /// <param name="failures">Failures so far, at least 1.</param>
    /// <param name="first">The wait after the first failure.</param>
    /// <param name="cap">The longest wait before jitter.</param>
    /// <param name="jitter">The spread as a fraction of the wait, in [0, 1): 0.2 waits 80 %–120 %.</param>
    /// <param name="sample">A random sample in [0, 1); 0.5 means no jitter.</param>
    public static TimeSpan Delay(int failures, TimeSpan first, TimeSpan cap, double jitter = 0, double sample = 0.5)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var wait = Math.Min(first.TotalMilliseconds * Math.Pow(2, exponent), cap.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(wait * (1 - jitter + (2 * jitter * sample)));
    }
}
