using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// Answers and incidents of a rotating IdP the operator must survive without presenting a spent refresh token: each
/// against the real OpenIddict test server (which revokes a refresh token's family on reuse) and the in-process API emulator.
/// </summary>
public sealed class EmulatorIdpAnswerScenarios(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    [Fact]
    public async Task A_rotating_IdP_stating_an_absurd_expires_in_keeps_the_workload_Running_and_no_refresh_token_is_reused()
    {
        await using var run = await Environment.StartRunningAsync("huge-expiry", null, Cancel);
        var (idp, ns) = (run.Idp, run.Namespace);
        idp.ExpiresInOverride = 9_000_000_000_000_000m;

        // Two refreshes: the first rotates under the absurd lifetime, the second must present what the first issued.
        foreach (var round in new[] { "huge-1", "huge-2" })
        {
            await Workloads.RequestAttemptAsync(Admin, ns, "w", idp, round, Cancel);
            await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.LastHandledRetryRequest?.StartsWith(round, StringComparison.Ordinal) == true, Settle, Cancel);
        }

        // The absurd expires_in is no statement; OpenIddict's access tokens are JWTs, so their exp is the expiry.
        var workload = await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.Phase == WorkloadPhase.Running && w.Status.Token?.ExpirySource == ExpirySources.Jwt, Settle, Cancel);
        Assert.Equal(0, idp.ReusedRefreshTokens);
        Assert.Equal(0, idp.InvalidGrants);
        Assert.Equal(Reasons.TokenIssued, workload.Status!.Reason);
        Assert.DoesNotContain(run.Operator.PhaseChanges, c => c.To is WorkloadPhase.Unauthenticated or WorkloadPhase.AuthRetrying);
    }

    [Fact]
    public async Task A_TLS_incident_at_the_IdP_is_ridden_out_in_AuthRetrying_and_the_workload_recovers_without_reusing_a_refresh_token()
    {
        await using var idp = await TestAuthorizationServer.StartAsync(new AuthServerOptions { EnableTls = true }, Cancel);
        idp.RegisterClient(ScenarioEnvironment.ClientId, ScenarioEnvironment.ClientSecret);
        var ns = await Environment.NewNamespaceAsync("tls-incident", Cancel);
        var refreshToken = await idp.IssueRefreshTokenOverTlsAsync(ScenarioEnvironment.ClientId, ScenarioEnvironment.ClientSecret, Cancel);
        await Workloads.CreateSecretAsync(Admin, ns, "creds", new Dictionary<string, string> { ["client_secret"] = ScenarioEnvironment.ClientSecret, ["refresh_token"] = refreshToken }, Cancel);
        await using var op = await ScenarioOperator.StartAsync(Environment.OperatorConfiguration, ns, trustedIdpCertificate: idp.TlsCertificate, cancellationToken: Cancel);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.TlsIssuer, ScenarioEnvironment.ClientId, "creds"), Cancel);
        await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle, Cancel);

        // A load balancer reloading: every handshake is answered with a fatal internal_error alert.
        idp.TlsAlert = 80;
        await Workloads.AnnotateRetryAsync(Admin, ns, "w", "tls-incident", Cancel);
        var retrying = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.AuthRetrying, Settle, Cancel);
        Assert.Equal(Reasons.TlsFailure, retrying.Status!.Reason);
        Assert.Contains("internal error", retrying.Status.AuthRetry!.LastError, StringComparison.OrdinalIgnoreCase);

        idp.TlsAlert = null;
        var recovered = await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, Settle + Settle, Cancel);

        Assert.Equal(Reasons.Recovered, recovered.Status!.Reason);
        Assert.Equal(0, idp.ReusedRefreshTokens);
        Assert.Equal(0, idp.InvalidGrants);
        Assert.DoesNotContain(op.PhaseChanges, c => c.To == WorkloadPhase.Unauthenticated);
    }
}
