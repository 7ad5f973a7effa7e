using System.Reflection;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Controller;

/// <summary>
/// The token engine keeps its own reason constants and defaults so it stays free of the API types;
/// these checks stop the two copies from drifting apart.
/// </summary>
public sealed class EngineContractTests
{
    /// <summary>Engine reasons that only ever describe internal states, never a published status reason of the API.</summary>
    private static readonly string[] EngineOnly = [nameof(TokenReasons.Pending), nameof(TokenReasons.NotRetrying)];

    [Fact]
    public void Every_engine_reason_is_an_API_reason_with_the_same_value()
    {
        var api = Constants(typeof(Reasons));

        foreach (var (name, value) in Constants(typeof(TokenReasons)).Where(c => !EngineOnly.Contains(c.Key)))
        {
            Assert.True(api.TryGetValue(name, out var apiValue), $"Reasons lacks {name}, which the engine writes into status");
            Assert.Equal(value, apiValue);
        }
    }

    [Fact]
    public void Engine_defaults_are_the_operator_defaults()
    {
        var config = MonitorConfigBuilder.Build(
            new RemoteWorkload { Metadata = new() { Name = "w", NamespaceProperty = "n" }, Spec = new() { OAuth = new() { TokenUrl = "https://idp.example.com/t", Grant = GrantTypes.ClientCredentials, ClientId = "c" } } },
            RetryDefaults.Standard,
            MonitorTiming.Default.StartupSpread);

        Assert.Equal(MonitorTiming.Default.Retry, config.Timing.Retry);
        Assert.Equal(MonitorTiming.Default.Refresh, config.Timing.Refresh);
    }

    private static Dictionary<string, string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);
}
