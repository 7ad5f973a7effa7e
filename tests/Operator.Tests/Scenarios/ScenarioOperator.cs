using System.Security.Cryptography.X509Certificates;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Hosting;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// One operator replica, wired by the production composition root (<see cref="OperatorServiceCollectionExtensions"/>)
/// and run as a generic host in this process against a test cluster over real HTTP.
/// </summary>
internal sealed class ScenarioOperator : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly List<(WorkloadPhase? From, WorkloadPhase To)> _transitions = [];
    private readonly Lock _gate = new();

    private ScenarioOperator(IHost host, OperatorOptions options)
    {
        _host = host;
        Options = options;
        Registry = host.Services.GetRequiredService<MonitorRegistry>();
        Registry.Transitioned += (from, to) =>
        {
            lock (_gate)
            {
                _transitions.Add((from, to));
            }
        };
    }

    public OperatorOptions Options { get; }

    public MonitorRegistry Registry { get; }

    public LeadershipLoop Leadership => _host.Services.GetRequiredService<LeadershipLoop>();

    /// <summary>What /metrics would serve for this replica, in Prometheus text format.</summary>
    public async Task<string> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await _host.Services.GetRequiredService<CollectorRegistry>().CollectAndExportAsTextAsync(stream).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Status writes whose phase changed, in order (from, to).</summary>
    public IReadOnlyList<(WorkloadPhase? From, WorkloadPhase To)> PhaseChanges
    {
        get
        {
            lock (_gate)
            {
                return _transitions.Where(t => t.From != t.To).ToList();
            }
        }
    }

    /// <summary>The retry settings scenarios use: a short retry that gives up within about a second, and the shortest tick.</summary>
    public static RetryPolicy FastRetry { get; } = RetryPolicy.Default with
    {
        InitialInterval = TimeSpan.FromMilliseconds(200),
        MaxInterval = TimeSpan.FromMilliseconds(400),
        MaxAttempts = 2,
        MaxElapsed = TimeSpan.FromSeconds(2),
        TickInterval = TimeSpan.FromSeconds(10),
        Ceiling = TimeSpan.FromHours(24),
    };

    public static async Task<ScenarioOperator> StartAsync(
        KubernetesClientConfiguration kubernetes,
        string watchNamespace,
        string identity = "operator-0",
        bool leaderElection = false,
        RetryPolicy? retry = null,
        CancellationToken cancellationToken = default,
        ILoggerProvider? logCapture = null,
        DelegatingHandler? apiAudit = null,
        X509Certificate2? trustedIdpCertificate = null)
    {
        var options = new OperatorOptions
        {
            Retry = retry ?? FastRetry,
            WatchNamespaces = [watchNamespace],
            LeaderElection = leaderElection,
            LeaseName = "remoteworkload-operator-" + watchNamespace,
            LeaseNamespace = "remoteworkload-system",
            LeaseDuration = TimeSpan.FromSeconds(4),
            RenewDeadline = TimeSpan.FromSeconds(3),
            RetryPeriod = TimeSpan.FromMilliseconds(500),
            Identity = identity,
            AllowInsecureEndpoints = true,
            AllowPrivateEndpoints = true,
            StartupSpread = TimeSpan.Zero,
            Workers = 2,
        };
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        if (logCapture is not null)
        {
            builder.Logging.AddProvider(logCapture).SetMinimumLevel(LogLevel.Debug)
                .AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, LogLevel.Warning);
        }

        // Scenarios on the IdP's TLS listener: its self-signed certificate, pinned, is the one trusted.
        System.Net.Security.RemoteCertificateValidationCallback? pinned = trustedIdpCertificate is null
            ? null
            : (_, presented, _, _) => presented is not null && presented.GetCertHashString() == trustedIdpCertificate.GetCertHashString();
        builder.Services.AddRemoteWorkloadOperator(options, kubernetes, new CollectorRegistry(), kubernetesHandlers: apiAudit is null ? null : [apiAudit],
            configureTokenHttp: pinned is null ? null : http => http.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = pinned } }),
            configureMutualTlsHandler: pinned is null ? null : handler => handler.SslOptions.RemoteCertificateValidationCallback = pinned);
        var host = builder.Build();
        // Created eagerly, as Program.cs does, so its scrape-time callback is registered.
        _ = host.Services.GetRequiredService<RemoteWorkloadOperator.Observability.OperatorMetrics>();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new ScenarioOperator(host, options);
    }

    /// <summary>Stops the replica the way a rolling update does: monitors stop, no status is written.</summary>
    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _host.StopAsync(timeout.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
