using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Runtime;
using RemoteWorkloadOperator.Tests.Scenarios;

namespace RemoteWorkloadOperator.Tests.Cluster;

/// <summary>
/// Status writes say the truth on the server: under JSON merge patch (RFC 7386) nested objects merge, so a field that
/// disappears inside <c>authRetry</c> or <c>token</c> must be nulled by name. Checked by reading the stored object back.
/// </summary>
public sealed class StatusWriterTests(EmulatorEnvironment environment) : IClassFixture<EmulatorEnvironment>
{
    private static readonly DateTime Start = new(2026, 11, 24, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Fields_that_vanish_inside_authRetry_and_token_are_gone_from_the_stored_status()
    {
        var cancel = TestContext.Current.CancellationToken;
        var ns = await environment.NewNamespaceAsync("status-diff", cancel);
        await Workloads.CreateAsync(environment.Admin, Workloads.ClientCredentials(ns, "w", new Uri("https://idp.example.com/token"), "c", "creds"), cancel);
        var workload = WorkloadReference.From((await Workloads.GetAsync(environment.Admin, ns, "w", cancel))!);
        var writer = new StatusWriter(environment.Admin);
        var retrying = new RemoteWorkloadStatus
        {
            Phase = WorkloadPhase.AuthRetrying,
            Token = new TokenStatus { SecretName = "w-token", ExpiresAt = Start.AddMinutes(5), LastRefreshTime = Start.AddMinutes(-55), NextRefreshTime = Start.AddMinutes(1) },
            AuthRetry = new AuthRetryStatus { StartedAt = Start, Deadline = Start.AddHours(24), Attempts = 1, LastAttemptTime = Start, NextAttemptTime = Start.AddMinutes(10), LastError = "HTTP 503" },
        };
        var gaveUp = new RemoteWorkloadStatus
        {
            Phase = WorkloadPhase.Unauthenticated,
            Token = new TokenStatus { SecretName = "w-token", LastRefreshTime = Start.AddMinutes(-55) },
            AuthRetry = new AuthRetryStatus { StartedAt = Start, Deadline = Start.AddHours(24), Attempts = 2, LastAttemptTime = Start.AddMinutes(10), LastError = "HTTP 503" },
        };

        Assert.True(await writer.WriteAsync(workload, null, retrying, cancel));
        Assert.True(await writer.WriteAsync(workload, retrying, gaveUp, cancel));

        var stored = (await Workloads.GetAsync(environment.Admin, ns, "w", cancel))!.Status!;
        Assert.Equal(WorkloadPhase.Unauthenticated, stored.Phase);
        Assert.Null(stored.AuthRetry!.NextAttemptTime);
        Assert.Equal(2, stored.AuthRetry.Attempts);
        Assert.Null(stored.Token!.ExpiresAt);
        Assert.Null(stored.Token.NextRefreshTime);
        Assert.Equal(Start.AddMinutes(-55), stored.Token.LastRefreshTime);
    }

    [Fact]
    public void The_patch_carries_only_what_changed()
    {
        var before = new RemoteWorkloadStatus { Phase = WorkloadPhase.AuthRetrying, AuthRetry = new AuthRetryStatus { StartedAt = Start, Attempts = 1, NextAttemptTime = Start } };
        var after = new RemoteWorkloadStatus { Phase = WorkloadPhase.AuthRetrying, AuthRetry = new AuthRetryStatus { StartedAt = Start, Attempts = 2 } };

        var patch = StatusWriter.Diff(before, after).ToJsonString();

        Assert.Equal("""{"authRetry":{"attempts":2,"nextAttemptTime":null}}""", patch);
    }

    [Fact]
    public void A_connection_reset_during_HTTP2_setup_is_retried_as_transient()
    {
        Assert.True(KubernetesCalls.IsTransient(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionReset)));
    }
}
