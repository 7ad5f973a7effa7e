using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// Answers of a rotating IdP the operator must survive without presenting a spent refresh token: each against the
/// real OpenIddict test server (which revokes a refresh token's family on reuse) and the in-process API emulator.
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

        var workload = await Workloads.WaitAsync(Admin, ns, "w", w => w.Status?.Phase == WorkloadPhase.Running && w.Status.Token?.ExpiresAt is null, Settle, Cancel);
        Assert.Equal(0, idp.ReusedRefreshTokens);
        Assert.Equal(0, idp.InvalidGrants);
        Assert.Equal(Reasons.TokenIssued, workload.Status!.Reason);
        Assert.DoesNotContain(run.Operator.PhaseChanges, c => c.To is WorkloadPhase.Unauthenticated or WorkloadPhase.AuthRetrying);
    }
}
