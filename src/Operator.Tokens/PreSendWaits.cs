namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// What cancels the waits that come before a request is sent (the per-IdP rate limit's queue). A request runs on its
/// flight's token, which a stop does not cancel (a sent request finishes under the grace); a request still waiting for
/// its turn has not been sent, and a stopped monitor must not send it later, when a successor may already be
/// refreshing. The monitor sets its stop token here around its requests; it flows with the async call into the HTTP
/// handlers, which link it into their waits only.
/// </summary>
public static class PreSendWaits
{
    private static readonly AsyncLocal<CancellationToken> Cancellation = new();

    /// <summary>The token that cancels pre-send waits of the current async flow (none outside a monitor's request).</summary>
    public static CancellationToken Token => Cancellation.Value;

    /// <summary>Makes <paramref name="stop"/> cancel the pre-send waits of the rest of the calling async method.</summary>
    public static void CancelledBy(CancellationToken stop) => Cancellation.Value = stop;
}
