using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Observability;
using RemoteWorkloadOperator.Runtime;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Hosting;

/// <summary>The operator's object graph, shared by Program.cs and the scenario tests so both run the same wiring.</summary>
public static class OperatorServiceCollectionExtensions
{
    /// <summary>How long a graceful shutdown may take: the flight grace plus time for the Lease release. The chart's
    /// terminationGracePeriodSeconds must be longer.</summary>
    public static TimeSpan ShutdownTimeout { get; } = MonitorTiming.DefaultFlightGrace + TimeSpan.FromSeconds(10);

    /// <summary>
    /// Registers the controller, the token engine and the publishers. <paramref name="monitorClock"/> drives the
    /// monitors, status timestamps and Events (tests pass a fake clock); the informers and queue always use the
    /// system clock, since they wait on real network I/O. <paramref name="kubernetesHandlers"/> see every API request
    /// (tests use one to audit status writes). <paramref name="configureMutualTlsHandler"/> runs on every
    /// mutual-TLS handler after the egress guard is set (tests trust their IdP's certificate there).
    /// </summary>
    public static IServiceCollection AddRemoteWorkloadOperator(
        this IServiceCollection services,
        OperatorOptions options,
        KubernetesClientConfiguration kubernetes,
        CollectorRegistry metricsRegistry,
        TimeProvider? monitorClock = null,
        Action<IHttpClientBuilder>? configureTokenHttp = null,
        DelegatingHandler[]? kubernetesHandlers = null,
        Action<SocketsHttpHandler>? configureMutualTlsHandler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(kubernetes);
        // The API server as this process reaches it is no IdP: its ClusterIP and the kubeconfig's host are refused like
        // kubernetes.default (a workload pointed there would have the operator send credentials to the cluster itself).
        options = options with
        {
            ApiServerHosts = EndpointGuard.ApiServerHosts([.. options.ApiServerHosts, Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"), ServerHost(kubernetes.Host)]),
        };
        var guard = GuardedConnect.Refusing(options.ApiServerHosts);
        var clock = monitorClock ?? TimeProvider.System;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IKubernetes>(_ => new Kubernetes(kubernetes, kubernetesHandlers ?? []));
        var tokenOptions = new TokenClientOptions
        {
            AllowInsecureEndpoints = options.AllowInsecureEndpoints,
            RequestsPerSecondPerHost = options.IdpRequestsPerSecond,
            ProxyFromEnvironment = options.IdpProxyFromEnvironment,
            // Behind a proxy the connect-time guard sees only the proxy: the target is checked before the request leaves.
            ProxiedTargetGuard = options.AllowPrivateEndpoints ? null : () => new ProxiedTargetGuardHandler(options.ApiServerHosts),
            // The mutual-TLS handlers are made outside the HttpClient factory, so the guard is set on them here as well.
            ConfigureMutualTlsHandler = handler =>
            {
                if (!options.AllowPrivateEndpoints)
                {
                    handler.ConnectCallback = guard;
                }

                configureMutualTlsHandler?.Invoke(handler);
            },
        };
        services.AddTokenEngine(tokenOptions, configureHttp: http =>
        {
            if (!options.AllowPrivateEndpoints)
            {
                http.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { ConnectCallback = guard });
            }

            configureTokenHttp?.Invoke(http);
        });
        services.AddSingleton<StatusWriter>();
        services.AddSingleton(sp => new EventRecorder(sp.GetRequiredService<IKubernetes>(), clock));
        services.AddSingleton(metricsRegistry);
        services.AddSingleton(sp =>
        {
            var metrics = new OperatorMetrics(metricsRegistry);
            sp.GetRequiredService<IdpRateLimiter>().Waited = metrics.IdpRateLimitWait;
            // Per-workload series are computed from the cache at scrape time, so deleted workloads vanish.
            metricsRegistry.AddBeforeCollectCallback(() => metrics.Collect(sp.GetRequiredService<WorkloadController>(), sp.GetRequiredService<LeadershipLoop>()));
            return metrics;
        });
        services.AddSingleton(sp =>
        {
            var registry = new MonitorRegistry(sp.GetRequiredService<StatusWriter>(), sp.GetRequiredService<EventRecorder>(), clock, sp.GetRequiredService<ILoggerFactory>());
            registry.Transitioned += sp.GetRequiredService<OperatorMetrics>().Transition;
            // A deleted workload's client certificate handler (and its pooled connections) is closed with its agent.
            registry.Released += sp.GetRequiredService<MutualTlsClients>().Release;
            return registry;
        });
        services.AddSingleton(sp => new TokenMonitorFactory(
            new MeteredTokenEndpointClient(sp.GetRequiredService<ITokenEndpointClient>(), sp.GetRequiredService<OperatorMetrics>()),
            clock,
            sp.GetRequiredService<IJitterSource>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("RemoteWorkloadOperator.Tokens")));
        services.AddSingleton<WorkloadController>();
        services.AddSingleton(sp => new LeadershipLoop(sp.GetRequiredService<IKubernetes>(), options, clock, sp.GetRequiredService<ILogger<LeadershipLoop>>()) { TakeoverWait = MonitorTiming.DefaultFlightGrace });

        // A stop lets every monitor finish a sent token request and persist its rotation (the flight grace), so the
        // host waits that long, plus the status and Lease writes, before it gives up on a graceful shutdown.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        services.AddHostedService<OperatorService>();
        return services;
    }

    private static string? ServerHost(string? server) => Uri.TryCreate(server, UriKind.Absolute, out var uri) ? uri.Host : null;
}
