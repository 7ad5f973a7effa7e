using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Hosting;

/// <summary>
/// <c>/healthz</c>: the process is alive and, when leading, no informer has been silent for
/// longer than a watch can legitimately last. <c>/readyz</c>: caches synced, or standing by as a
/// non-leader (a standby is ready: it is doing exactly what it should).
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Longer than the longest watch (10 min) plus reconnect backoff.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(15);

    public static void Map(WebApplication app, LeadershipLoop leadership, WorkloadController controller, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/healthz", () =>
        {
            if (leadership.IsLeader && controller.OldestWatchProgress is { } progress && time.GetUtcNow() - progress > StaleAfter)
            {
                return Results.Text($"watch stale: no progress since {progress:O}", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return Results.Text("ok");
        });
        app.MapGet("/readyz", () => !leadership.IsLeader
            ? Results.Text("standby")
            : controller.Synced ? Results.Text("ok") : Results.Text("caches not synced", statusCode: StatusCodes.Status503ServiceUnavailable));
    }
}
