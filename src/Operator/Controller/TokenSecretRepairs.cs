using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Cluster;

namespace RemoteWorkloadOperator.Controller;

/// <summary>
/// Keeps every token Secret holding the token its workload last published: a watch event on one of ours that shows it
/// deleted or altered marks the workload, and the next reconcile rewrites it from the cached token, without a token
/// request; with no token cached (just after a restart) the monitor is asked for a new one instead.
/// </summary>
public sealed partial class TokenSecretRepairs(MonitorRegistry registry, ILogger logger)
{
    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);

    /// <summary>
    /// Looks at an event on a Secret the operator manages for workload <paramref name="key"/>; true when it needs a
    /// repair (the caller queues the workload).
    /// </summary>
    public bool Observe(string key, WatchEventType type, V1Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (registry.Find(key)?.TokenPublisher is not { } publisher || publisher.SecretName != secret.Metadata.Name)
        {
            return false;
        }

        if (type != WatchEventType.Deleted && (publisher.Last is not { } last || TokenSecretWriter.Holds(secret, last)))
        {
            return false;
        }

        _pending[key] = 0;
        return true;
    }

    /// <summary>Repairs the token Secret of <paramref name="key"/> if an event marked it (called after its reconcile).</summary>
    public async Task RunAsync(string key, CancellationToken cancellationToken)
    {
        if (!_pending.TryRemove(key, out _) || registry.Find(key) is not { TokenPublisher: { } publisher } agent)
        {
            return;
        }

        if (publisher.Last is null)
        {
            // Nothing cached to rewrite it from (an operator restart since the last token): ask for a token.
            await agent.RequestTokenAsync(cancellationToken).ConfigureAwait(false);
            LogRepairByRequest(logger, key, publisher.SecretName);
        }
        else if (await publisher.RepairAsync(cancellationToken).ConfigureAwait(false))
        {
            LogRepaired(logger, key, publisher.SecretName);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "token Secret {Secret} of {Key} was deleted or changed; rewrote it from the cached token")]
    private static partial void LogRepaired(ILogger logger, string key, string secret);

    [LoggerMessage(Level = LogLevel.Information, Message = "token Secret {Secret} of {Key} was deleted or changed and no token is cached; requested a new one")]
    private static partial void LogRepairByRequest(ILogger logger, string key, string secret);
}
