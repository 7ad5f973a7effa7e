using System.Net;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>
/// HTTP/2 as kube-apiserver serves it: KubernetesClient multiplexes watches, writes and Lease renewals on
/// one connection, so one reset fails them all together; watchers must resume and the elector must
/// renew on a new connection or step down.
/// </summary>
public sealed class Http2ConnectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<LocalControlPlane> StartAsync() =>
        LocalControlPlane.StartAsync(new LocalControlPlaneOptions { ApplyAtStart = [RepositoryPaths.Crds] }, Ct);

    [Fact]
    public async Task Http2_is_negotiated_when_the_client_offers_it()
    {
        await using var cp = await StartAsync();
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
        {
            chain!.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(cp.CertificateAuthorityPem));
            return chain.Build((X509Certificate2)certificate!);
        };
        using var http = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await http.GetAsync(new Uri(cp.BaseAddress, "version"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
    }

    [Fact]
    public async Task A_connection_reset_under_two_watches_and_a_lease_renewal_fails_them_together_and_all_recover()
    {
        await using var cp = await StartAsync();
        using var client = cp.CreateAdminClient();
        var leading = new TaskCompletionSource();
        var steppedDown = false;
        using var elector = new LeaderElector(new LeaderElectionConfig(new LeaseLock(client, "default", "leader", "replica-a"))
        {
            LeaseDuration = TimeSpan.FromSeconds(3),
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
        });
        elector.OnStartedLeading += () => leading.TrySetResult();
        elector.OnStoppedLeading += () => steppedDown = true;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var electing = elector.RunUntilLeadershipLostAsync(stop.Token);
        await leading.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var workloadWatch = EndOf(client.CustomObjects.WatchListNamespacedCustomObjectAsync(Workloads.Group, Workloads.Version, "default", Workloads.Plural, cancellationToken: stop.Token));
        var secretWatch = EndOf(client.CoreV1.WatchListNamespacedSecretAsync("default", cancellationToken: stop.Token));
        await Eventually.TrueAsync(() => Task.FromResult(cp.Store.OpenWatchCount == 2), "both watches to open");
        Assert.Equal(1, cp.Faults.OpenConnectionCount);

        var resetAt = DateTime.UtcNow;
        Assert.Equal(1, cp.Faults.ResetConnections());

        // Both streams fail at once: one connection carried them.
        Assert.NotNull(await workloadWatch.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.NotNull(await secretWatch.WaitAsync(TimeSpan.FromSeconds(10), Ct));

        // A watcher resumes on a new connection and sees what happened since.
        var resumed = new TaskCompletionSource<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, secret) in client.CoreV1.WatchListNamespacedSecretAsync("default", cancellationToken: stop.Token))
            {
                if (type == WatchEventType.Added && secret.Metadata.Name == "after-reset")
                {
                    resumed.TrySetResult(secret.Metadata.Name);
                    return;
                }
            }
        }, Ct);
        await Eventually.TrueAsync(() => Task.FromResult(cp.Store.OpenWatchCount == 1), "the resumed watch to open");
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "after-reset" } }, "default", cancellationToken: Ct);
        Assert.Equal("after-reset", await resumed.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        await watching;

        // The elector either renewed on a new connection or stepped down; it never keeps leading on a stale Lease.
        await Eventually.TrueAsync(
            async () => steppedDown || (await client.CoordinationV1.ReadNamespacedLeaseAsync("leader", "default", cancellationToken: Ct)).Spec.RenewTime > resetAt,
            "the Lease renewed after the reset, or the elector stepped down",
            TimeSpan.FromSeconds(10));
        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("leader", "default", cancellationToken: Ct);
        Assert.True(steppedDown || lease.Spec.HolderIdentity == "replica-a", $"holder {lease.Spec.HolderIdentity}, stepped down: {steppedDown}");

        await stop.CancelAsync();
        try
        {
            await electing;

            // RunUntilLeadershipLostAsync returns by itself only when leadership was lost.
            Assert.True(steppedDown, "the elector returned without stepping down");
        }
        catch (OperationCanceledException)
        {
            // Still leading when the test stopped it.
        }
    }

    /// <summary>Reads a watch to its end; returns the exception that ended it (null when it ended cleanly).</summary>
    private static Task<Exception?> EndOf<T>(IAsyncEnumerable<(WatchEventType, T)> watch) => Task.Run(async () =>
    {
        try
        {
            await foreach (var _ in watch)
            {
            }

            return (Exception?)null;
        }
        catch (Exception e) when (e is IOException or HttpRequestException or HttpIOException)
        {
            return e;
        }
    });
}
