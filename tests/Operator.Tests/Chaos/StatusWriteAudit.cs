using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace RemoteWorkloadOperator.Tests.Chaos;

/// <summary>
/// Sits in the operator's Kubernetes client and records every successful status patch, per
/// workload. The operator is the only status writer and sends whole top-level fields, so a patch
/// equal to the previous successful one for the same workload is a write without a change.
/// </summary>
internal sealed class StatusWriteAudit : DelegatingHandler
{
    private readonly ConcurrentDictionary<string, List<JsonObject>> _writes = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, List<JsonObject>> Writes => _writes;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Method == HttpMethod.Patch && request.RequestUri!.AbsolutePath.EndsWith("/status", StringComparison.Ordinal) && request.Content is not null
            ? await request.Content.ReadAsStringAsync(cancellationToken)
            : null;
        var response = await base.SendAsync(request, cancellationToken);
        if (body is not null && response.IsSuccessStatusCode)
        {
            var status = JsonNode.Parse(body)!["status"]!.AsObject();
            foreach (var key in status.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                status.Remove(key);
            }

            var path = request.RequestUri!.AbsolutePath;
            var list = _writes.GetOrAdd(path[..path.LastIndexOf('/')], _ => []);
            lock (list)
            {
                list.Add(status);
            }
        }

        return response;
    }

    /// <summary>Writes that repeated the previous write of the same workload.</summary>
    public IEnumerable<string> WritesWithoutChange()
    {
        foreach (var (workload, writes) in _writes)
        {
            lock (writes)
            {
                for (var i = 1; i < writes.Count; i++)
                {
                    if (JsonNode.DeepEquals(writes[i - 1], writes[i]))
                    {
                        yield return $"{workload} write #{i + 1}: {writes[i].ToJsonString()}";
                    }
                }
            }
        }
    }
}
