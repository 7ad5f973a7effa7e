using System.Net;
using System.Net.Sockets;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Hosting;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

public sealed class GuardedConnectTests
{
    [Theory]
    [InlineData("metadata.google.internal")]
    [InlineData("kubernetes.default.svc")]
    [InlineData("instance-data")]
    public async Task A_forbidden_name_is_refused_before_any_lookup_so_hosts_from_discovery_are_checked_by_name(string host)
    {
        var resolved = false;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = GuardedConnect.Using((_, _) =>
            {
                resolved = true;
                return ValueTask.FromResult(new[] { IPAddress.Parse("10.0.0.1") });
            }),
        });

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"https://{host}/token"), TestContext.Current.CancellationToken));

        Assert.False(resolved, "the guard resolved a forbidden name instead of refusing it");
        var failure = TokenFailureClassifier.Classify(error, CancellationToken.None)!;
        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal(Reasons.EndpointNotAllowed, failure.Reason);
        Assert.True(failure.SpecCannotWork);
    }

    [Fact]
    public async Task A_forbidden_name_is_refused_with_the_system_resolver_too()
    {
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = GuardedConnect.ConnectAsync });

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri("https://metadata.google.internal/computeMetadata/v1/"), TestContext.Current.CancellationToken));

        Assert.Equal(Reasons.EndpointNotAllowed, TokenFailureClassifier.Classify(error, CancellationToken.None)!.Reason);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task A_name_resolving_to_a_forbidden_address_is_refused_before_connecting_and_classified_permanent(string host)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = GuardedConnect.ConnectAsync });

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"http://{host}:{port}/token"), TestContext.Current.CancellationToken));

        Assert.False(listener.Pending(), "the guard let a connection through");
        var failure = TokenFailureClassifier.Classify(error, CancellationToken.None);
        Assert.NotNull(failure);
        Assert.Equal(FailureClass.Permanent, failure.Class);
        Assert.Equal(Reasons.EndpointNotAllowed, failure.Reason);
        Assert.Contains("--allow-private-endpoints", failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_resolving_to_the_clusters_API_server_is_refused_before_connecting()
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = GuardedConnect.Using((_, _) => ValueTask.FromResult(new[] { IPAddress.Parse("10.96.0.1") }), EndpointGuard.ApiServerHosts("10.96.0.1")),
        });

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri("https://idp.example.com/token"), TestContext.Current.CancellationToken));

        var failure = TokenFailureClassifier.Classify(error, CancellationToken.None)!;
        Assert.Equal(Reasons.EndpointNotAllowed, failure.Reason);
        Assert.Contains("this cluster's Kubernetes API server", failure.Description, StringComparison.Ordinal);
    }
}
