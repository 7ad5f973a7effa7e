using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Controller;

/// <summary>The engine and the API share one vocabulary: a workload's timing comes from the API's defaults unchanged.</summary>
public sealed class EngineContractTests
{
    [Fact]
    public void A_workload_without_retry_settings_gets_the_operator_defaults()
    {
        var config = MonitorConfigBuilder.Build(
            new RemoteWorkload { Metadata = new() { Name = "w", NamespaceProperty = "n" }, Spec = new() { OAuth = new() { TokenUrl = "https://idp.example.com/t", Grant = GrantTypes.ClientCredentials, ClientId = "c" } } },
            RetryPolicy.Default,
            MonitorTiming.Default);

        Assert.Equal(MonitorTiming.Default.Retry, config.Timing.Retry);
        Assert.Equal(MonitorTiming.Default.Refresh, config.Timing.Refresh);
    }
}
