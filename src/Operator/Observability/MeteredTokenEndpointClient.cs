using System.Diagnostics;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Observability;

/// <summary>Counts and times every token request on its way to the IdP.</summary>
public sealed class MeteredTokenEndpointClient(ITokenEndpointClient inner, OperatorMetrics metrics) : ITokenEndpointClient
{
    public async Task<TokenRequestResult> RequestTokenAsync(TokenMonitorConfig config, MonitorCredentials credentials, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await inner.RequestTokenAsync(config, credentials, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (result.Failure is { } failure)
        {
            metrics.TokenRequest(failure.IsTransient ? "transient" : "permanent", failure.Reason, elapsed);
        }
        else
        {
            metrics.TokenRequest("success", "TokenIssued", elapsed);
        }

        return result;
    }
}
