using System.Collections;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Hosting;
using RemoteWorkloadOperator.Observability;
using RemoteWorkloadOperator.Runtime;

// Wiring only: configuration, logging, DI, endpoints. Behaviour lives in Controller/, Tokens/, Publishing/.
var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
var (options, errors) = OperatorOptionsParser.Parse(args, environment);
if (options is null)
{
    foreach (var error in errors)
    {
        Console.Error.WriteLine($"remoteworkload-operator: invalid configuration: {error}");
    }

    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
if (options.LogFormat == "json")
{
    builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
}
else
{
    builder.Logging.AddSimpleConsole(o => o.IncludeScopes = true);
}

builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
OperatorOptionsParser.TryParseAddress(options.HealthAddress, out var healthHost, out var healthPort);
builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Parse(healthHost == "localhost" ? "127.0.0.1" : healthHost), healthPort));

var kubeConfig = options.Kubeconfig is not null
    ? KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig)
    : KubernetesClientConfiguration.IsInCluster()
        ? KubernetesClientConfiguration.InClusterConfig()
        : KubernetesClientConfiguration.BuildConfigFromConfigFile(Environment.GetEnvironmentVariable("KUBECONFIG"));

builder.Services.AddRemoteWorkloadOperator(options, kubeConfig, Metrics.DefaultRegistry);

var app = builder.Build();
var leadership = app.Services.GetRequiredService<LeadershipLoop>();
var controller = app.Services.GetRequiredService<WorkloadController>();
HealthEndpoints.Map(app, leadership, controller, TimeProvider.System);
_ = app.Services.GetRequiredService<OperatorMetrics>();
app.MapMetrics();
StartupLog.Effective(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RemoteWorkloadOperator"), options, kubeConfig.Host);
await app.RunAsync().ConfigureAwait(false);
return 0;
