using System.Collections.Concurrent;
using System.Text.Json;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Tests.Scenarios;

namespace RemoteWorkloadOperator.Tests.Cluster;

/// <summary>
/// The Secret informer's list on the emulator, which pages with limit and continue like kube-apiserver: a cluster with
/// many large Secrets is read a page at a time, and the data of Secrets no workload references is dropped page by page.
/// </summary>
public sealed class SecretListPagingTests(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    [Fact]
    public async Task The_Secret_list_is_read_in_pages_and_keeps_no_data_of_unreferenced_Secrets()
    {
        var ns = await Environment.NewNamespaceAsync("paging", Cancel);
        var blob = new string('x', 10_000);
        for (var i = 0; i < 250; i++)
        {
            await Workloads.CreateSecretAsync(Admin, ns, $"s{i:D3}", new Dictionary<string, string> { ["blob"] = blob }, Cancel);
        }

        var pages = new ListPageAudit();
        using var client = new Kubernetes(Environment.OperatorConfiguration, pages);
        var cache = new SecretCache(client, [ns], new SecretReferenceIndex(), (_, _) => { }, TimeProvider.System, NullLogger.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var running = cache.Watchers[0].RunAsync(stop.Token);
        await cache.Watchers[0].Synced.WaitAsync(Settle, Cancel);
        await stop.CancelAsync();
        await running;

        Assert.Equal(250, pages.Sizes.Sum());
        Assert.All(pages.Sizes, size => Assert.True(size <= KubernetesSources.SecretListPageSize, $"a page of {size} Secrets"));
        Assert.Equal((250, 0), cache.Count);
    }

    /// <summary>Counts the items of every list response (watches aside).</summary>
    private sealed class ListPageAudit : DelegatingHandler
    {
        private readonly ConcurrentQueue<int> _sizes = new();

        public IReadOnlyList<int> Sizes => [.. _sizes];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.EndsWith("/secrets", StringComparison.Ordinal)
                && !request.RequestUri.Query.Contains("watch=true", StringComparison.Ordinal))
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                _sizes.Enqueue(body.RootElement.GetProperty("items").GetArrayLength());
            }

            return response;
        }
    }
}
