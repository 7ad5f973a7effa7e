using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>DI wiring for the token engine.</summary>
public static class TokenEngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the named HttpClient (<see cref="TokenClientOptions.HttpClientName"/>: no redirects followed, bodies bounded by
    /// <see cref="BoundedResponseHandler"/>, paced by the shared <see cref="IdpRateLimiter"/>), <see cref="TokenClientOptions"/>,
    /// <see cref="ITokenEndpointClient"/> and <see cref="IJitterSource"/>. The caller registers <see cref="TimeProvider"/>
    /// (defaults to <see cref="TimeProvider.System"/> when absent).
    /// </summary>
    public static IServiceCollection AddTokenEngine(this IServiceCollection services, TokenClientOptions? options = null, Action<IHttpClientBuilder>? configureHttp = null)
    {
        var effective = options ?? new TokenClientOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(effective);
        services.TryAddSingleton<IJitterSource>(RandomJitterSource.Instance);
        var builder = services.AddHttpClient(TokenClientOptions.HttpClientName, client =>
        {
            // The per-request timeout is enforced by the client with the injected clock; this is only a backstop.
            client.Timeout = effective.RequestTimeout + TimeSpan.FromSeconds(5);
            client.DefaultRequestHeaders.UserAgent.ParseAdd(TokenClientOptions.UserAgent);
        });
        services.TryAddSingleton(sp => new IdpRateLimiter(sp.GetRequiredService<TokenClientOptions>().RequestsPerSecondPerHost, sp.GetRequiredService<TimeProvider>()));
        configureHttp?.Invoke(builder);
        // After the caller's configuration, so they hold for whichever primary handler it chose.
        builder.ConfigurePrimaryHttpMessageHandler((handler, _) => IdpHandlerPolicy.Apply(handler, effective.ProxyFromEnvironment));
        if (effective.ProxyFromEnvironment && effective.ProxiedTargetGuard is { } guard)
        {
            builder.AddHttpMessageHandler(guard);
        }

        builder.AddHttpMessageHandler(sp => new IdpRateLimitHandler(sp.GetRequiredService<IdpRateLimiter>()));
        builder.AddHttpMessageHandler(() => new BoundedResponseHandler());
        services.TryAddSingleton(sp => new MutualTlsClients(sp.GetRequiredService<TokenClientOptions>(), sp.GetRequiredService<IdpRateLimiter>()));
        services.TryAddSingleton<ITokenEndpointClient>(sp => new TokenEndpointClient(
            sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<TokenClientOptions>(), sp.GetRequiredService<MutualTlsClients>()));
        return services;
    }
}
