using System.Collections;

namespace RemoteWorkloadOperator.Observability;

/// <summary>
/// The log scope of one workload. Structured formatters (the JSON console) enumerate it as the
/// <c>Namespace</c> and <c>Name</c> properties; text formatters (the simple console) print its
/// <see cref="ToString"/>, so a console line reads <c>=&gt; team-a/sourcegraph</c>.
/// </summary>
public sealed class WorkloadLogScope(string workloadNamespace, string workloadName) : IReadOnlyList<KeyValuePair<string, object?>>
{
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
}
