using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Hosting;

/// <summary>Logs the effective configuration once at start-up (no secrets are part of it).</summary>
public static partial class StartupLog
{
    public static void Effective(ILogger logger, OperatorOptions options, string apiServer)
    {
        ArgumentNullException.ThrowIfNull(options);
        var retry = options.Retry;
        LogEffective(
            logger,
            apiServer,
            options.WatchNamespaces.Count == 0 ? "(all)" : string.Join(',', options.WatchNamespaces),
            options.LeaderElection ? $"{options.LeaseNamespace}/{options.LeaseName} as {options.Identity}" : "off",
            $"initial={KubeDuration.Format(retry.InitialInterval)} max={KubeDuration.Format(retry.MaxInterval)} attempts={retry.MaxAttempts} elapsed={KubeDuration.Format(retry.MaxElapsed)} tick={KubeDuration.Format(retry.TickInterval)} ceiling={KubeDuration.Format(retry.Ceiling)}",
            options.AllowInsecureEndpoints,
            options.AllowPrivateEndpoints,
            options.HealthAddress,
            options.IdpRequestsPerSecond);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "starting: apiServer={ApiServer} namespaces={Namespaces} leaderElection={LeaderElection} retry=[{Retry}] allowInsecureEndpoints={Insecure} allowPrivateEndpoints={Private} healthAddr={HealthAddress} idpRequestsPerSecond={IdpRequestsPerSecond}")]
    private static partial void LogEffective(ILogger logger, string apiServer, string namespaces, string leaderElection, string retry, bool insecure, bool @private, string healthAddress, int idpRequestsPerSecond);
}
