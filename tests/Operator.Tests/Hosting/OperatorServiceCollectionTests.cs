using k8s;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;
using RemoteWorkloadOperator.Hosting;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Hosting;

public sealed class OperatorServiceCollectionTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_token_client_gets_the_allow_insecure_endpoints_flag(bool allow)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddRemoteWorkloadOperator(
            new OperatorOptions { AllowInsecureEndpoints = allow },
            new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" },
            Metrics.NewCustomRegistry());
        using var provider = services.BuildServiceProvider();

        // TokenEndpointClient's discovery policy requires https unless this option is set.
        Assert.Equal(allow, provider.GetRequiredService<TokenClientOptions>().AllowInsecureEndpoints);
    }
}
