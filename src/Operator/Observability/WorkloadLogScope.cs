using System.Collections;
using Microsoft.Extensions.Logging;

namespace RemoteWorkloadOperator.Observability;

/// <summary>
/// The log scope of one workload. Structured formatters (the JSON console) enumerate it as the
/// <c>Namespace</c> and <c>Name</c> properties; text formatters (the simple console) print its
/// <see cref="ToString"/>, so a console line reads <c>=&gt; team-a/sourcegraph</c>.
/// </summary>
public sealed class WorkloadLogScope(string workloadNamespace, string workloadName) : IReadOnlyList<KeyValuePair<string, object?>>
{
    // The workload scope open in this async flow. It flows exactly as the logger's own scopes do (both are async
    // locals), so a monitor that logs inside a reconcile's scope, or in a flight that reconcile started, sees it.
    private static readonly AsyncLocal<WorkloadLogScope?> Open = new();

    private readonly KeyValuePair<string, object?>[] _items =
    [
        new("Namespace", workloadNamespace),
        new("Name", workloadName),
    ];

    public int Count => _items.Length;

    public KeyValuePair<string, object?> this[int index] => _items[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{_items[0].Value}/{_items[1].Value}";

    /// <summary>Opens <paramref name="scope"/> on <paramref name="logger"/> for the rest of this async flow.</summary>
    public static IDisposable Begin(ILogger logger, WorkloadLogScope scope)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var previous = Open.Value;
        Open.Value = scope;
        return new Opened(logger.BeginScope(scope), previous);
    }

    /// <summary>Whether this workload's scope is already open here (so an entry must not carry it twice).</summary>
    public bool IsOpen => Open.Value is { } open && open.ToString() == ToString();

    private sealed class Opened(IDisposable? inner, WorkloadLogScope? previous) : IDisposable
    {
        public void Dispose()
        {
            inner?.Dispose();
            Open.Value = previous;
        }
    }
}
