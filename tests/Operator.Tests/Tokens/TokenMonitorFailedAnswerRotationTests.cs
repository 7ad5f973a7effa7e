using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>A refresh token the IdP issued in an answer that failed is stored before the failure is acted on.</summary>
public sealed class TokenMonitorFailedAnswerRotationTests
{
    [Fact]
    public async Task A_failed_answer_that_rotated_is_stored_and_the_next_attempt_presents_the_new_refresh_token()
    {
        await using var h = new Harness();
        var unusable = new TokenFailure(FailureClass.Transient, FailureKind.NotOAuthResponse, Reasons.TokenEndpointUnavailable, "HTTP 200 from idp.example.com");
        h.Client.Then(() => TokenRequestResult.Failed(unusable, "rt-from-failed-answer"));
        h.Client.Fallback = () => h.Client.Token(TimeSpan.FromHours(1));

        h.Monitor.Start();
        h.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal("rt-from-failed-answer", Assert.Single(h.Ports.Rotated).RefreshToken);
        var requests = h.Log.Select((entry, i) => (entry, i)).Where(e => e.entry.StartsWith("request:", StringComparison.Ordinal)).Select(e => e.i).ToList();
        Assert.True(requests.Count >= 2, "the monitor retried");
        Assert.InRange(h.Log.IndexOf("store:rt-from-failed-answer"), requests[0] + 1, requests[1] - 1);
        Assert.Equal(WorkloadPhase.Running, h.Monitor.Phase);
    }
}
