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
        Assert.Equal(TimeSpan.FromHours(1), options.Retry.ProbeInterval);
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
    [InlineData(V.MaxAttempts, "11")]
    [InlineData(V.InitialInterval, "1ms")]
    [InlineData(V.ProbeInterval, "30s")]
    [InlineData(V.ProbeInterval, "25h")]
    [InlineData(V.ProbeInterval, "-1h")]
    public void A_bad_variable_is_named_in_the_error(string variable, string value)
    {
        var (options, errors) = Parse([], (variable, value));

        Assert.Null(options);
        Assert.Contains(errors, e => e.Contains(variable, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("2h", 7200)]
    public void The_probe_interval_comes_from_the_environment_and_0_turns_it_off(string value, int expectedSeconds)
    {
        var (options, errors) = Parse([], (V.ProbeInterval, value));

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), options!.Retry.ProbeInterval);
    }

    [Fact]
    public void The_probe_interval_flag_wins_over_the_environment_and_is_named_when_bad()
    {
        var (options, _) = Parse(["--auth-retrying-probe-interval=30m"], (V.ProbeInterval, "2h"));
        var (_, errors) = Parse(["--auth-retrying-probe-interval=5s"]);

        Assert.Equal(TimeSpan.FromMinutes(30), options!.Retry.ProbeInterval);
        Assert.Contains(errors, e => e.StartsWith("--auth-retrying-probe-interval", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, 10)]
    [InlineData("30s", 30)]
    public void The_minimum_refresh_interval_defaults_to_ten_seconds(string? flag, int expectedSeconds)
    {
        var (options, errors) = Parse(flag is null ? [] : [$"--min-refresh-interval={flag}"]);

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), options!.MinimumRefreshInterval);
        Assert.Equal(options.MinimumRefreshInterval, options.MonitorTiming.MinimumRefreshInterval);
    }

    [Theory]
    [InlineData("500ms")]
    [InlineData("2h")]
    [InlineData("0")]
    public void A_minimum_refresh_interval_outside_one_second_to_an_hour_is_refused(string value)
    {
        var (options, errors) = Parse([$"--min-refresh-interval={value}"]);

        Assert.Null(options);
        Assert.Contains(errors, e => e.StartsWith("--min-refresh-interval", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, 90)]
    [InlineData("2m", 120)]
    [InlineData("0", 0)]
    public void The_secret_propagation_delay_defaults_to_ninety_seconds(string? flag, int expectedSeconds)
    {
        var (options, errors) = Parse(flag is null ? [] : [$"--secret-propagation-delay={flag}"]);

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), options!.MonitorTiming.PropagationDelay);
    }

    [Fact]
    public void The_startup_rate_defaults_to_twenty_per_second_and_paces_every_monitor_with_one_pacer()
    {
        var (defaults, _) = Parse([]);
        var (custom, _) = Parse(["--startup-rate=50"]);
        var (_, errors) = Parse(["--startup-rate=0"]);

        Assert.Equal(20, defaults!.StartupPacer.PerSecond);
        Assert.Same(defaults.MonitorTiming.StartupPacer, defaults.MonitorTiming.StartupPacer);
        Assert.Equal(50, custom!.MonitorTiming.StartupPacer!.PerSecond);
        Assert.Contains(errors, e => e.StartsWith("--startup-rate", StringComparison.Ordinal));
    }

    [Fact]
    public void Short_retry_waits_under_a_second_are_refused_naming_each_variable()
    {
        var (options, errors) = Parse([], (V.InitialInterval, "500ms"), (V.MaxInterval, "500ms"));

        Assert.Null(options);
        Assert.Contains($"{V.InitialInterval}: must be at least 1s", errors);
        Assert.Contains($"{V.MaxInterval}: must be at least 1s", errors);
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
    [InlineData("--idp-requests-per-second=0", "--idp-requests-per-second")]
    [InlineData("--state-secret-retention=0s", "--state-secret-retention")]
    [InlineData("--state-secret-retention=a week", "--state-secret-retention")]
    [InlineData("--frobnicate", "--frobnicate")]
    public void A_bad_flag_is_named_in_the_error(string flag, string name)
    {
        var (options, errors) = Parse([flag]);

        Assert.Null(options);
        Assert.Contains(errors, e => e.StartsWith(name, StringComparison.Ordinal));
    }

    [Fact]
    public void The_IdP_rate_limit_is_50_per_second_unless_the_flag_or_the_variable_says_otherwise_and_the_flag_wins()
    {
        Assert.Equal(50, Parse([]).Options!.IdpRequestsPerSecond);
        Assert.Equal(20, Parse([], (V.IdpRequestsPerSecond, "20")).Options!.IdpRequestsPerSecond);
        Assert.Equal(7, Parse(["--idp-requests-per-second", "7"], (V.IdpRequestsPerSecond, "20")).Options!.IdpRequestsPerSecond);
        Assert.Contains(Parse([], (V.IdpRequestsPerSecond, "lots")).Errors, e => e.StartsWith(V.IdpRequestsPerSecond, StringComparison.Ordinal));
    }
}
