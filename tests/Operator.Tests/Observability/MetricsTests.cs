using System.Globalization;
using System.Text.RegularExpressions;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;
using RemoteWorkloadOperator.Tests.Scenarios;

namespace RemoteWorkloadOperator.Tests.Observability;

/// <summary>After a scripted lifecycle on the local control plane, the metrics say what happened, and forget deleted workloads.</summary>
public sealed partial class MetricsTests(EmulatorEnvironment environment) : IClassFixture<EmulatorEnvironment>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Scrape_shows_phases_token_times_retry_deadlines_and_transitions_and_drops_deleted_workloads()
    {
        await using var idp = await ScenarioEnvironment.StartIdpAsync();
        var ns = await environment.NewNamespaceAsync("metrics", Cancel);
        await environment.CreateCredentialsAsync(idp, ns, "creds", Cancel);
        await using var op = await ScenarioOperator.StartAsync(environment.OperatorConfiguration, ns, cancellationToken: Cancel);
        var admin = environment.Admin;
        await Workloads.CreateAsync(admin, Workloads.RefreshToken(ns, "steady", idp.Issuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
        await Workloads.CreateAsync(admin, Workloads.ClientCredentials(ns, "flaky", idp.TokenEndpoint, ScenarioEnvironment.ClientId, "creds"), Cancel);
        var steady = await Workloads.WaitForPhaseAsync(admin, ns, "steady", WorkloadPhase.Running, TimeSpan.FromSeconds(20), Cancel);
        await Workloads.WaitForPhaseAsync(admin, ns, "flaky", WorkloadPhase.Running, TimeSpan.FromSeconds(20), Cancel);
        idp.SetFault(AuthServerFault.ServiceUnavailable503);
        await Workloads.RequestAttemptAsync(admin, ns, "flaky", idp, "outage", Cancel);
        var flaky = await Workloads.WaitForPhaseAsync(admin, ns, "flaky", WorkloadPhase.AuthRetrying, TimeSpan.FromSeconds(20), Cancel);

        var metrics = await op.ScrapeAsync();

        Assert.Equal(1, Value(metrics, "remoteworkload_workloads", "phase=\"Running\""));
        Assert.Equal(1, Value(metrics, "remoteworkload_workloads", "phase=\"AuthRetrying\""));
        Assert.Equal(0, Value(metrics, "remoteworkload_workloads", "phase=\"Unauthenticated\""));
        Assert.Equal(Unix(steady.Status!.Token!.ExpiresAt!.Value), Value(metrics, "remoteworkload_token_expiry_timestamp_seconds", "name=\"steady\""));
        Assert.Equal(Unix(flaky.Status!.AuthRetry!.StartedAt!.Value), Value(metrics, "remoteworkload_auth_retrying_started_timestamp_seconds", "name=\"flaky\""));
        Assert.Equal(Unix(flaky.Status.AuthRetry.Deadline!.Value), Value(metrics, "remoteworkload_auth_retrying_deadline_timestamp_seconds", "name=\"flaky\""));
        Assert.Null(Value(metrics, "remoteworkload_auth_retrying_deadline_timestamp_seconds", "name=\"steady\""));
        Assert.Equal(2, Value(metrics, "remoteworkload_phase_transitions_total", "from=\"None\",to=\"Running\""));
        Assert.Equal(1, Value(metrics, "remoteworkload_phase_transitions_total", "from=\"Running\",to=\"AuthRetrying\""));
        Assert.True(Value(metrics, "remoteworkload_token_requests_total", "outcome=\"success\",reason=\"TokenIssued\"") >= 2);
        Assert.True(Value(metrics, "remoteworkload_token_requests_total", "outcome=\"transient\"") >= 1);
        Assert.True(Value(metrics, "remoteworkload_token_request_duration_seconds_count", "outcome=\"success\"") >= 2);
        Assert.Equal(1, Value(metrics, "remoteworkload_leader", null));

        await Workloads.DeleteAsync(admin, ns, "flaky", Cancel);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (op.Registry.Count > 1 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100, Cancel);
        }

        metrics = await op.ScrapeAsync();
        Assert.DoesNotContain("name=\"flaky\"", metrics, StringComparison.Ordinal);
        Assert.Equal(0, Value(metrics, "remoteworkload_workloads", "phase=\"AuthRetrying\""));
        Assert.Equal(1, Value(metrics, "remoteworkload_workloads", "phase=\"Running\""));
    }

    private static double Unix(DateTime time) => new DateTimeOffset(DateTime.SpecifyKind(time.ToUniversalTime(), DateTimeKind.Utc)).ToUnixTimeSeconds();

    /// <summary>The value of the first sample of <paramref name="name"/> whose labels contain <paramref name="labels"/>.</summary>
    private static double? Value(string metrics, string name, string? labels)
    {
        foreach (Match match in Sample().Matches(metrics))
        {
            if (match.Groups["name"].Value == name && (labels is null || match.Groups["labels"].Value.Contains(labels, StringComparison.Ordinal)))
            {
                return double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
