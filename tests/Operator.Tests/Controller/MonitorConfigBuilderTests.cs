using k8s.Models;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Controller;

public sealed class MonitorConfigBuilderTests
{
    private static RemoteWorkload Workload(RetrySpec? retry = null, TokenSecretSpec? tokenSecret = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "w", NamespaceProperty = "team-a" },
        Spec = new RemoteWorkloadSpec
        {
            Url = "https://svc.example.com",
            OAuth = new OAuthSpec
            {
                TokenUrl = "https://idp.example.com/token",
                Grant = GrantTypes.ClientCredentials,
                ClientId = "c",
                ClientAuthentication = ClientAuthenticationMethods.ClientSecretPost,
                Scopes = ["a", "b"],
                Resource = "https://svc.example.com",
            },
            Retry = retry,
            TokenSecret = tokenSecret,
        },
    };

    [Fact]
    public void Operator_defaults_fill_unset_fields()
    {
        var defaults = RetryPolicy.Default with { TickInterval = TimeSpan.FromMinutes(3), Ceiling = TimeSpan.FromHours(2), ProbeInterval = TimeSpan.FromHours(3) };

        var config = MonitorConfigBuilder.Build(Workload(), defaults, new MonitorTiming { StartupSpread = TimeSpan.FromSeconds(5), MinimumRefreshInterval = TimeSpan.FromSeconds(30) });

        Assert.Equal(TimeSpan.FromSeconds(5), config.Timing.StartupSpread);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Timing.MinimumRefreshInterval);
        Assert.Equal(TimeSpan.FromHours(3), config.Timing.Retry.ProbeInterval);
        Assert.Equal("team-a/w", config.WorkloadKey);
        Assert.Equal(new Uri("https://idp.example.com/token"), config.TokenEndpoint);
        Assert.Null(config.Issuer);
        Assert.Equal(GrantType.ClientCredentials, config.Grant);
        Assert.Equal(ClientAuthenticationMethod.ClientSecretPost, config.ClientAuthentication);
        Assert.Equal(["a", "b"], config.Scopes);
        Assert.Equal(TimeSpan.FromMinutes(3), config.Timing.Retry.TickInterval);
        Assert.Equal(TimeSpan.FromHours(2), config.Timing.Retry.Ceiling);
        Assert.Equal(TimeSpan.FromSeconds(10), config.Timing.Retry.InitialInterval);
        Assert.Equal(0.8, config.Timing.Refresh.LifetimeFraction);
    }

    [Fact]
    public void Per_workload_overrides_win_over_operator_defaults()
    {
        var retry = new RetrySpec { TickInterval = KubeDuration.Parse("30s"), Ceiling = KubeDuration.Parse("1h"), MaxAttempts = 2, ProbeInterval = KubeDuration.Parse("0s") };
        var defaults = RetryPolicy.Default with { TickInterval = TimeSpan.FromMinutes(3), MaxAttempts = 9 };

        var config = MonitorConfigBuilder.Build(Workload(retry), defaults, MonitorTiming.Default);

        Assert.Equal(TimeSpan.FromSeconds(30), config.Timing.Retry.TickInterval);
        Assert.Equal(TimeSpan.FromHours(1), config.Timing.Retry.Ceiling);
        Assert.Equal(2, config.Timing.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.Zero, config.Timing.Retry.ProbeInterval);
    }

    [Fact]
    public void Token_secret_defaults_to_name_token_and_owned()
    {
        Assert.Equal("w-token", MonitorConfigBuilder.TokenSecretName(Workload()));
        Assert.True(MonitorConfigBuilder.TokenSecretOwned(Workload()));
        var retained = Workload(tokenSecret: new TokenSecretSpec { Name = "custom", Ownership = SecretOwnership.Retain });
        Assert.Equal("custom", MonitorConfigBuilder.TokenSecretName(retained));
        Assert.False(MonitorConfigBuilder.TokenSecretOwned(retained));
    }

    [Fact]
    public void Without_issuer_and_tokenUrl_the_workload_url_and_chosen_authorization_server_drive_discovery()
    {
        var workload = Workload();
        workload.Spec.OAuth.TokenUrl = null;
        workload.Spec.OAuth.AuthorizationServer = "https://as.example.com/tenant";

        var config = MonitorConfigBuilder.Build(workload, RetryPolicy.Default, MonitorTiming.Default);

        Assert.Null(config.Issuer);
        Assert.Null(config.TokenEndpoint);
        Assert.Equal(new Uri("https://svc.example.com"), config.ResourceUrl);
        Assert.Equal(new Uri("https://as.example.com/tenant"), config.AuthorizationServer);
    }
}
