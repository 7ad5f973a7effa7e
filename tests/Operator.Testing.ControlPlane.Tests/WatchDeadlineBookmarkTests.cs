using System.Diagnostics;
using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>
/// The bookmark the real watch cache sends 2 s before a watch's deadline
/// (staging/src/k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go nextBookmarkTime), independent of the
/// periodic bookmarks.
/// </summary>
public sealed class WatchDeadlineBookmarkTests
{
    [Fact]
    public async Task A_watch_with_timeoutSeconds_gets_a_bookmark_shortly_before_it_ends()
    {
        // Periodic bookmarks an hour apart: any bookmark seen here is the deadline one.
        await using var cp = await LocalControlPlane.StartAsync(new LocalControlPlaneOptions { ApplyAtStart = [RepositoryPaths.Crds], BookmarkInterval = TimeSpan.FromHours(1) }, TestContext.Current.CancellationToken);
        using var raw = RawClient.FromKubeconfig(cp.KubeconfigPath);
        var started = Stopwatch.StartNew();

        var answer = await raw.GetAsync("apis/workloads.dev/v1alpha1/namespaces/default/remoteworkloads?watch=true&allowWatchBookmarks=true&resourceVersion=" + cp.Store.Revision + "&timeoutSeconds=4");

        Assert.Equal(200, answer.Code);
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(3.5), $"the stream ended after {started.Elapsed}, before its timeout");
        var events = answer.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!).ToList();
        Assert.Equal("BOOKMARK", Assert.Single(events)["type"]!.GetValue<string>());
    }
}
