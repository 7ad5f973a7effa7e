using RemoteWorkloadOperator.Hosting;
using V = RemoteWorkloadOperator.Hosting.OperatorOptionsParser.Variables;

namespace RemoteWorkloadOperator.Tests.Hosting;

public sealed class OperatorOptionsParserTests
{
    private static (OperatorOptions? Options, IReadOnlyList<string> Errors) Parse(string[] args, params (string Name, string Value)[] environment) =>
        OperatorOptionsParser.Parse(args, environment.ToDictionary(e => e.Name, e => (string?)e.Value));

    [Fact]
    public void Defaults_are_the_documented_values()
    {
        var (options, errors) = Parse([]);

        Assert.Empty(errors);
        Assert.NotNull(options);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Retry.InitialInterval);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Retry.MaxInterval);
        Assert.Equal(5, options.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Retry.MaxElapsed);
        Assert.Equal(TimeSpan.FromMinutes(10), options.Retry.TickInterval);
        Assert.Equal(TimeSpan.FromHours(24), options.Retry.Ceiling);
        Assert.True(options.LeaderElection);
        Assert.False(options.AllowInsecureEndpoints);
        Assert.False(options.AllowPrivateEndpoints);
        Assert.Empty(options.WatchNamespaces);
        Assert.Equal("json", options.LogFormat);
    }

    [Theory]
    [InlineData(V.InitialInterval, "ten")]
    [InlineData(V.MaxInterval, "-1m")]
    [InlineData(V.MaxAttempts, "0")]
    [InlineData(V.MaxAttempts, "many")]
    [InlineData(V.MaxElapsed, "5")]
    [InlineData(V.TickInterval, "5s")]
    [InlineData(V.Ceiling, "1d")]
    [InlineData(V.Ceiling, "800h")]
    [InlineData(V.TickInterval, "25h")]
    public void A_bad_variable_is_named_in_the_error(string variable, string value)
    {
        var (options, errors) = Parse([], (variable, value));

        Assert.Null(options);
        Assert.Contains(errors, e => e.Contains(variable, StringComparison.Ordinal));
    }

    [Fact]
    public void Cross_checks_name_both_variables()
    {
        var (_, errors) = Parse([], (V.TickInterval, "2h"), (V.Ceiling, "1h"));

        var error = Assert.Single(errors);
        Assert.Contains(V.TickInterval, error, StringComparison.Ordinal);
        Assert.Contains(V.Ceiling, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_overrides_and_flags_are_applied()
    {
        var (options, errors) = Parse(
            ["--watch-namespaces=team-a, team-b", "--leader-elect=false", "--allow-insecure-endpoints", "--allow-private-endpoints", "--health-addr", "127.0.0.1:9090", "--log-format=console", "--state-secret-retention=36h"],
            (V.TickInterval, "30s"), (V.Ceiling, "2m"), (V.MaxAttempts, "3"));

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(30), options!.Retry.TickInterval);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Retry.Ceiling);
        Assert.Equal(3, options.Retry.MaxAttempts);
        Assert.Equal(["team-a", "team-b"], options.WatchNamespaces);
        Assert.False(options.LeaderElection);
        Assert.True(options.AllowInsecureEndpoints);
        Assert.True(options.AllowPrivateEndpoints);
        Assert.Equal("127.0.0.1:9090", options.HealthAddress);
        Assert.Equal("console", options.LogFormat);
        Assert.Equal(TimeSpan.FromHours(36), options.StateSecretRetention);
        Assert.Equal(options.Retry, options.Validation.Defaults);
    }

    [Theory]
    [InlineData("--log-format=xml", "--log-format")]
    [InlineData("--health-addr=nowhere", "--health-addr")]
    [InlineData("--leader-elect=maybe", "--leader-elect")]
    [InlineData("--workers=0", "--workers")]
    [InlineData("--state-secret-retention=0s", "--state-secret-retention")]
    [InlineData("--state-secret-retention=a week", "--state-secret-retention")]
    [InlineData("--frobnicate", "--frobnicate")]
    public void A_bad_flag_is_named_in_the_error(string flag, string name)
    {
        var (options, errors) = Parse([flag]);

        Assert.Null(options);
        Assert.Contains(errors, e => e.StartsWith(name, StringComparison.Ordinal));
    }
}
