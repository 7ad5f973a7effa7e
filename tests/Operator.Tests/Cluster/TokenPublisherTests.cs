using k8s.Models;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Tests.Scenarios;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Cluster;

/// <summary>
/// The token Secret's own watch event is compared with <see cref="KubernetesTokenPublisher.Last"/> to detect tampering.
/// The event can arrive before the write's answer, so the publisher must already name the new token while it writes.
/// </summary>
public sealed class TokenPublisherTests(EmulatorEnvironment environment) : IClassFixture<EmulatorEnvironment>
{
    [Fact]
    public async Task While_a_token_is_written_the_publisher_already_names_it_as_the_one_the_secret_should_hold()
    {
        var cancel = TestContext.Current.CancellationToken;
        var ns = await environment.NewNamespaceAsync("publish-last", cancel);
        await Workloads.CreateAsync(environment.Admin, Workloads.ClientCredentials(ns, "w", new Uri("https://idp.example.com/token"), "c", "creds"), cancel);
        var workload = WorkloadReference.From((await Workloads.GetAsync(environment.Admin, ns, "w", cancel))!);
        var reader = new ObservingSecretReader(environment.Admin);
        var publisher = new KubernetesTokenPublisher(new TokenSecretWriter(environment.Admin, reader), workload, "w-token", owned: true);
        var now = DateTimeOffset.UtcNow;
        var first = new PublishedToken("first-access-token", "Bearer", now, now.AddHours(1), null);
        var second = new PublishedToken("second-access-token", "Bearer", now.AddMinutes(1), now.AddHours(2), null);
        reader.OnWritten = _ => reader.LastWhenAnswered = publisher.Last;

        await publisher.PublishAsync(first, cancel);
        Assert.Equal(first, reader.LastWhenAnswered);
        await publisher.PublishAsync(second, cancel);

        // The moment the API server answered the write (the watch event may already be on its way), a tamper check
        // compares the Secret with the token being written, not with the one before it.
        Assert.Equal(second, reader.LastWhenAnswered);
        Assert.Equal(second, publisher.Last);
    }

    /// <summary>Reads live and tells the test when a write was answered.</summary>
    private sealed class ObservingSecretReader(k8s.IKubernetes client) : ISecretReader
    {
        public Action<V1Secret>? OnWritten { get; set; }

        public PublishedToken? LastWhenAnswered { get; set; }

        public ValueTask<V1Secret?> GetAsync(string @namespace, string name, CancellationToken cancellationToken) => GetLiveAsync(@namespace, name, cancellationToken);

        public ValueTask<V1Secret?> GetLiveAsync(string @namespace, string name, CancellationToken cancellationToken) =>
            new LiveSecretReader(client).GetLiveAsync(@namespace, name, cancellationToken);

        public void Written(V1Secret secret) => OnWritten?.Invoke(secret);
    }
}
