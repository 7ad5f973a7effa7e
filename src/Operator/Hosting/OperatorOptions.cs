using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Hosting;

/// <summary>The operator's effective configuration, validated once at start-up.</summary>
public sealed record OperatorOptions
{
    /// <summary>Defaults that fill unset <c>spec.retry</c> fields (from the environment).</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>Namespaces to watch; empty means all namespaces.</summary>
    public IReadOnlyList<string> WatchNamespaces { get; init; } = [];

    public bool LeaderElection { get; init; } = true;

    public string LeaseName { get; init; } = "remoteworkload-operator";

    public string LeaseNamespace { get; init; } = "remoteworkload-system";

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>This replica's identity in the Lease.</summary>
    public string Identity { get; init; } = Environment.MachineName;

    /// <summary>Address of the health and metrics listener (host:port).</summary>
    public string HealthAddress { get; init; } = "0.0.0.0:8080";

    /// <summary><c>json</c> (default) or <c>console</c>.</summary>
    public string LogFormat { get; init; } = "json";

    /// <summary>Accept http:// endpoints (development only).</summary>
    public bool AllowInsecureEndpoints { get; init; }

    /// <summary>Accept loopback, link-local and metadata endpoints (development only).</summary>
    public bool AllowPrivateEndpoints { get; init; }

    /// <summary>Requests per second to one IdP host, process-wide (token requests and discovery).</summary>
    public int IdpRequestsPerSecond { get; init; } = RemoteWorkloadOperator.Tokens.IdpRateLimiter.DefaultRequestsPerSecond;

    /// <summary>Honour HTTPS_PROXY/HTTP_PROXY/NO_PROXY for IdP requests (off: IdPs are reached directly).</summary>
    public bool IdpProxyFromEnvironment { get; init; }

    /// <summary>Reconcile workers.</summary>
    public int Workers { get; init; } = 4;

    /// <summary>Window over which resumed monitors spread their first attempts after start or failover.</summary>
    public TimeSpan StartupSpread { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The shortest time between a token's issue and its refresh, whatever the IdP's lifetime.</summary>
    public TimeSpan MinimumRefreshInterval { get; init; } = MonitorTiming.DefaultMinimumRefreshInterval;

    /// <summary>How long a changed token Secret may take to reach a consumer's mounted volume; refreshes leave it this long.</summary>
    public TimeSpan PropagationDelay { get; init; } = MonitorTiming.DefaultPropagationDelay;

    /// <summary>Due start-up work beyond the spread starts at most this many times per second (window = max(spread, due / rate)).</summary>
    public double StartupRate { get; init; } = 20;

    /// <summary>The one pacer of this process's start-up work (made on first use, from <see cref="StartupRate"/>).</summary>
    public StartupPacer StartupPacer => _startupPacer ??= new StartupPacer(StartupRate);

    private StartupPacer? _startupPacer;

    /// <summary>The operator-wide timing every monitor starts from (a workload's spec adds its retry and refresh).</summary>
    public MonitorTiming MonitorTiming => new()
    {
        StartupSpread = StartupSpread,
        MinimumRefreshInterval = MinimumRefreshInterval,
        PropagationDelay = PropagationDelay,
        StartupPacer = StartupPacer,
    };

    /// <summary>How long a state Secret (the rotated refresh token) outlives its workload for a re-applied workload of the same name to adopt.</summary>
    public TimeSpan StateSecretRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Path of a kubeconfig; null means in-cluster config, then $KUBECONFIG, then ~/.kube/config.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>
    /// This cluster's API server hosts (<c>KUBERNETES_SERVICE_HOST</c>, the kubeconfig server's host), refused as IdP
    /// endpoints; filled by the composition root from the Kubernetes configuration it connects with.
    /// </summary>
    public IReadOnlySet<string> ApiServerHosts { get; init; } = new HashSet<string>();

    public ValidationOptions Validation => new()
    {
        AllowInsecureEndpoints = AllowInsecureEndpoints,
        AllowPrivateEndpoints = AllowPrivateEndpoints,
        ApiServerHosts = ApiServerHosts,
        Defaults = Retry,
    };
}
