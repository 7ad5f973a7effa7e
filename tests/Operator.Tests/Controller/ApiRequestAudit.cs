using System.Collections.Concurrent;

namespace RemoteWorkloadOperator.Tests.Controller;

/// <summary>Records every request the operator sends to the API server (method and path; watches marked), to count them.</summary>
internal sealed class ApiRequestAudit : DelegatingHandler
{
    private readonly ConcurrentQueue<ApiRequest> _requests = new();

    public IReadOnlyList<ApiRequest> Requests => [.. _requests];

    /// <summary>Requests that are not a list+watch or the leader Lease.</summary>
    public IReadOnlyList<ApiRequest> Calls(Func<ApiRequest, bool>? filter = null) =>
        [.. _requests.Where(r => !r.Watch && !r.Path.Contains("/leases", StringComparison.Ordinal) && (filter is null || filter(r)))];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var query = request.RequestUri!.Query;
        _requests.Enqueue(new ApiRequest(request.Method.Method, request.RequestUri.AbsolutePath, query.Contains("watch=true", StringComparison.Ordinal)));
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>One request to the API server.</summary>
internal sealed record ApiRequest(string Method, string Path, bool Watch)
{
    public bool IsSecretGet => Method == "GET" && Path.Contains("/secrets/", StringComparison.Ordinal);

    public bool IsSecretList => Method == "GET" && Path.EndsWith("/secrets", StringComparison.Ordinal);

    public bool IsStatusPatch => Method == "PATCH" && Path.EndsWith("/status", StringComparison.Ordinal);

    public override string ToString() => $"{Method} {Path}{(Watch ? " (watch)" : "")}";
}
