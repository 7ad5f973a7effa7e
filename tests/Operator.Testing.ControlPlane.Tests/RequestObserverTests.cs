using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Testing.ControlPlane.Http;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>Request observers see every request's method, path and answer, and nothing after they are disposed.</summary>
public sealed class RequestObserverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_request_is_seen_once_with_its_method_path_and_answer_until_the_subscription_ends()
    {
        await using var cp = await LocalControlPlane.StartAsync(cancellationToken: Ct);
        using var client = cp.CreateAdminClient();
        var seen = new ConcurrentQueue<ObservedRequest>();
        var subscription = cp.Requests.Subscribe(seen.Enqueue);

        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" } }, "default", cancellationToken: Ct);
        await client.CoreV1.ReadNamespacedSecretAsync("s", "default", cancellationToken: Ct);
        await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.ReadNamespacedSecretAsync("missing", "default", cancellationToken: Ct));
        subscription.Dispose();
        await client.CoreV1.ReadNamespacedSecretAsync("s", "default", cancellationToken: Ct);

        Assert.Equal(
            [
                new ObservedRequest("POST", "/api/v1/namespaces/default/secrets", Watch: false, 201),
                new ObservedRequest("GET", "/api/v1/namespaces/default/secrets/s", Watch: false, 200),
                new ObservedRequest("GET", "/api/v1/namespaces/default/secrets/missing", Watch: false, 404),
            ],
            seen.ToArray());
    }
}
