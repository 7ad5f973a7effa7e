using System.Collections.Concurrent;
using System.Net.Http;
using Duende.IdentityModel.Client;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// The token client over Duende.IdentityModel: discovery (cached per issuer, dropped on failure) or a direct
/// token URL; <c>refresh_token</c> and <c>client_credentials</c>; basic, post or no client authentication;
/// scopes; RFC 8707 resource. Every failure is classified by <see cref="TokenFailureClassifier"/>.
/// </summary>
public sealed class TokenEndpointClient(IHttpClientFactory httpClientFactory, TimeProvider timeProvider, TokenClientOptions options) : ITokenEndpointClient
{
    private readonly ConcurrentDictionary<string, CachedEndpoint> _discovery = new(StringComparer.Ordinal);

    /// <summary>Creates a client with default options on the system clock.</summary>
    public TokenEndpointClient(IHttpClientFactory httpClientFactory)
        : this(httpClientFactory, TimeProvider.System, new TokenClientOptions())
    {
    }

    /// <inheritdoc />
    public async Task<TokenRequestResult> RequestTokenAsync(TokenMonitorConfig config, MonitorCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(credentials);

        if (config.Grant == TokenGrantType.RefreshToken && string.IsNullOrEmpty(credentials.RefreshToken))
        {
            return TokenRequestResult.Failed(new TokenFailure(
                FailureClass.Permanent, FailureKind.Local, "SecretKeyMissing", "no refresh token is available for the refresh_token grant"));
        }

        var endpoint = await ResolveTokenEndpointAsync(config, cancellationToken).ConfigureAwait(false);
        if (endpoint.Failure is { } discoveryFailure)
        {
            return TokenRequestResult.Failed(discoveryFailure);
        }

        var display = endpoint.Address!.Authority;
        var result = await SendTokenRequestAsync(config, credentials, endpoint.Address!, display, cancellationToken).ConfigureAwait(false);
        if (result.Failure is not null && config.Issuer is { } issuer)
        {
            // Refreshed on failure: the next attempt discovers again.
            _discovery.TryRemove(issuer.AbsoluteUri, out _);
        }

        return result;
    }

    private async Task<TokenRequestResult> SendTokenRequestAsync(
        TokenMonitorConfig config, MonitorCredentials credentials, Uri address, string display, CancellationToken stopToken)
    {
        using var timeout = new CancellationTokenSource(options.RequestTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopToken, timeout.Token);
        var http = httpClientFactory.CreateClient(TokenClientOptions.HttpClientName);
        var issuedAt = timeProvider.GetUtcNow();

        TokenResponse response;
        try
        {
            response = config.Grant switch
            {
                TokenGrantType.RefreshToken => await http.RequestRefreshTokenAsync(
                    Fill(new RefreshTokenRequest { RefreshToken = credentials.RefreshToken ?? string.Empty, Scope = JoinScopes(config) }, config, credentials, address),
                    linked.Token).ConfigureAwait(false),
                _ => await http.RequestClientCredentialsTokenAsync(
                    Fill(new ClientCredentialsTokenRequest { Scope = JoinScopes(config) }, config, credentials, address),
                    linked.Token).ConfigureAwait(false),
            };
        }
        catch (Exception ex) when (TokenFailureClassifier.Classify(ex, stopToken, display) is { } failure)
        {
            return TokenRequestResult.Failed(failure);
        }

        using (response)
        {
            if (response.HttpResponse is null)
            {
                var ex = response.Exception ?? new HttpRequestException("no response");
                stopToken.ThrowIfCancellationRequested();
                return TokenRequestResult.Failed(TokenFailureClassifier.Classify(ex, stopToken, display)
                    ?? throw new OperationCanceledException(stopToken));
            }

            var answer = new HttpAnswer(
                (int)response.HttpResponse.StatusCode,
                response.HttpResponse.Content?.Headers.ContentType?.MediaType,
                response.Raw,
                HttpAnswer.ParseRetryAfter(response.HttpResponse.Headers.RetryAfter, timeProvider.GetUtcNow()));
            if (TokenFailureClassifier.Classify(answer, display) is { } classified)
            {
                return TokenRequestResult.Failed(classified);
            }

            var expiresAt = response.ExpiresIn > 0 ? issuedAt.AddSeconds(response.ExpiresIn) : (DateTimeOffset?)null;
            return TokenRequestResult.Success(new TokenGrant(
                response.AccessToken!,
                string.IsNullOrEmpty(response.TokenType) ? "Bearer" : response.TokenType,
                issuedAt,
                expiresAt,
                response.Scope,
                string.IsNullOrEmpty(response.RefreshToken) ? null : response.RefreshToken));
        }
    }

    private async Task<EndpointResolution> ResolveTokenEndpointAsync(TokenMonitorConfig config, CancellationToken stopToken)
    {
        if (config.TokenEndpoint is { } direct)
        {
            return new EndpointResolution(direct, null);
        }

        if (config.Issuer is not { } issuer)
        {
            return new EndpointResolution(null, TokenFailureClassifier.DiscoveryNonsense("neither issuer nor token endpoint configured"));
        }

        var now = timeProvider.GetUtcNow();
        if (_discovery.TryGetValue(issuer.AbsoluteUri, out var cached) && cached.ExpiresAt > now)
        {
            return new EndpointResolution(cached.TokenEndpoint, null);
        }

        using var timeout = new CancellationTokenSource(options.RequestTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopToken, timeout.Token);
        var http = httpClientFactory.CreateClient(TokenClientOptions.HttpClientName);
        var display = $"{issuer.Authority} (discovery)";
        DiscoveryDocumentResponse discovery;
        try
        {
            discovery = await http.GetDiscoveryDocumentAsync(
                new DiscoveryDocumentRequest
                {
                    Address = issuer.AbsoluteUri,
                    Policy = new DiscoveryPolicy
                    {
                        RequireHttps = !options.AllowInsecureEndpoints,
                        AllowHttpOnLoopback = true,
                        RequireKeySet = false,
                    },
                },
                linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (TokenFailureClassifier.Classify(ex, stopToken, display) is { } failure)
        {
            return new EndpointResolution(null, failure);
        }

        using (discovery)
        {
            if (discovery.HttpResponse is null)
            {
                stopToken.ThrowIfCancellationRequested();
                if (discovery.ErrorType == ResponseErrorType.PolicyViolation)
                {
                    return new EndpointResolution(null, TokenFailureClassifier.DiscoveryNonsense(discovery.Error ?? "policy violation"));
                }

                var ex = discovery.Exception ?? new HttpRequestException("no response");
                return new EndpointResolution(null, TokenFailureClassifier.Classify(ex, stopToken, display) ?? throw new OperationCanceledException(stopToken));
            }

            var status = (int)discovery.HttpResponse.StatusCode;
            if (status is < 200 or >= 300)
            {
                var answer = new HttpAnswer(
                    status,
                    discovery.HttpResponse.Content?.Headers.ContentType?.MediaType,
                    discovery.Raw,
                    HttpAnswer.ParseRetryAfter(discovery.HttpResponse.Headers.RetryAfter, timeProvider.GetUtcNow()));
                return new EndpointResolution(null, TokenFailureClassifier.Classify(answer, display));
            }

            if (discovery.ErrorType == ResponseErrorType.PolicyViolation)
            {
                return new EndpointResolution(null, TokenFailureClassifier.DiscoveryNonsense(discovery.Error ?? "policy violation"));
            }

            if (!discovery.Raw.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal))
            {
                // A 2xx page that is not JSON (a captive portal or WAF) is treated like the token endpoint's HTML 200.
                var answer = new HttpAnswer(status, discovery.HttpResponse.Content?.Headers.ContentType?.MediaType, discovery.Raw);
                return new EndpointResolution(null, TokenFailureClassifier.Classify(answer, display));
            }

            if (discovery.IsError)
            {
                return new EndpointResolution(null, TokenFailureClassifier.DiscoveryNonsense(discovery.Error ?? "invalid discovery document"));
            }

            if (!Uri.TryCreate(discovery.TokenEndpoint, UriKind.Absolute, out var tokenEndpoint))
            {
                return new EndpointResolution(null, TokenFailureClassifier.DiscoveryNonsense("document has no usable token_endpoint"));
            }

            _discovery[issuer.AbsoluteUri] = new CachedEndpoint(tokenEndpoint, now + options.DiscoveryCacheDuration);
            return new EndpointResolution(tokenEndpoint, null);
        }
    }

    private static T Fill<T>(T request, TokenMonitorConfig config, MonitorCredentials credentials, Uri address)
        where T : ProtocolRequest
    {
        request.Address = address.AbsoluteUri;
        request.ClientId = config.ClientId ?? string.Empty;
        switch (config.ClientAuthentication)
        {
            case ClientAuthenticationMethod.ClientSecretBasic when credentials.ClientSecret is not null:
                request.ClientSecret = credentials.ClientSecret;
                request.ClientCredentialStyle = ClientCredentialStyle.AuthorizationHeader;
                break;
            case ClientAuthenticationMethod.ClientSecretPost when credentials.ClientSecret is not null:
                request.ClientSecret = credentials.ClientSecret;
                request.ClientCredentialStyle = ClientCredentialStyle.PostBody;
                break;
            default:
                request.ClientCredentialStyle = ClientCredentialStyle.PostBody;
                break;
        }

        if (!string.IsNullOrEmpty(config.Resource))
        {
            request.Parameters.Add("resource", config.Resource);
        }

        return request;
    }

    private static string? JoinScopes(TokenMonitorConfig config) =>
        config.Scopes.Count == 0 ? null : string.Join(' ', config.Scopes);

    private sealed record CachedEndpoint(Uri TokenEndpoint, DateTimeOffset ExpiresAt);

    private sealed record EndpointResolution(Uri? Address, TokenFailure? Failure);
}
