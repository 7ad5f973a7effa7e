using System.Net.Http;
using Duende.IdentityModel.Client;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens.Discovery;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// The token client: the token endpoint is used as configured, or found by <see cref="TokenEndpointDiscovery"/>
/// (from an issuer, or from the workload's URL through RFC 9728); <c>refresh_token</c> and
/// <c>client_credentials</c> go out over Duende.IdentityModel with basic, post or no client authentication,
/// scopes and the RFC 8707 resource. The answer is read by <see cref="TokenResponseBody"/> (JSON or form) and
/// every failure is classified by <see cref="TokenFailureClassifier"/>.
/// </summary>
public sealed class TokenEndpointClient : ITokenEndpointClient
{
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _timeProvider;
    private readonly TokenClientOptions _options;
    private readonly TokenEndpointDiscovery _discovery;
    private readonly MutualTlsClients _mutualTls;

    /// <summary>Creates a client; <paramref name="mutualTls"/> defaults to a cache of its own.</summary>
    public TokenEndpointClient(IHttpClientFactory httpClientFactory, TimeProvider timeProvider, TokenClientOptions options, MutualTlsClients? mutualTls = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _timeProvider = timeProvider;
        _options = options;
        _mutualTls = mutualTls ?? new MutualTlsClients(options);
        _discovery = new TokenEndpointDiscovery(new MetadataFetcher(httpClientFactory, timeProvider, options), httpClientFactory, timeProvider, options);
    }

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

        if (credentials.MissingFor(config) is { } missing)
        {
            // The monitor never gets here without them; a direct caller gets the same verdict, without a request.
            return TokenRequestResult.Failed(new TokenFailure(FailureClass.Permanent, FailureKind.Local, missing.Reason, missing.Message));
        }

        var discovered = await ResolveTokenEndpointAsync(config, cancellationToken).ConfigureAwait(false);
        if (discovered.Failure is { } discoveryFailure)
        {
            return TokenRequestResult.Failed(discoveryFailure);
        }

        var endpoint = discovered.Endpoint!;
        var result = await SendTokenRequestAsync(config, credentials, endpoint, cancellationToken).ConfigureAwait(false);
        if (result.Failure is not null)
        {
            // Refreshed on failure: the next attempt discovers again (the server may have moved its endpoint).
            Forget(config);
        }

        return result;
    }

    private void Forget(TokenMonitorConfig config)
    {
        if (config.TokenEndpoint is not null)
        {
            return;
        }

        if (config.Issuer is { } issuer)
        {
            _discovery.Forget(issuer);
        }
        else if (config.ResourceUrl is { } resource)
        {
            _discovery.Forget(resource, config.AuthorizationServer);
        }
    }

    private async Task<TokenRequestResult> SendTokenRequestAsync(
        TokenMonitorConfig config, MonitorCredentials credentials, DiscoveredEndpoint endpoint, CancellationToken stopToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopToken, timeout.Token);
        HttpClient http;
        string? certificateThumbprint = null;
        if (IsMutualTls(config))
        {
            try
            {
                (http, certificateThumbprint) = _mutualTls.For(config.WorkloadKey, credentials.ClientCertificate!);
            }
            catch (ClientCertificateException ex)
            {
                // Permanent: only a new certificate (a credentials change) or a spec change can fix it.
                return TokenRequestResult.Failed(new TokenFailure(FailureClass.Permanent, FailureKind.Local, Reasons.InvalidClientCertificate,
                    $"spec.oauth.clientCertificateSecretRef: {ex.Message}"));
            }

            // RFC 8705 §5: a server that authenticates clients by certificate on other hosts names them as aliases.
            endpoint = endpoint with { TokenEndpoint = endpoint.MutualTlsTokenEndpoint ?? endpoint.TokenEndpoint };
        }
        else
        {
            _mutualTls.Release(config.WorkloadKey);
            http = _httpClientFactory.CreateClient(TokenClientOptions.HttpClientName);
        }

        var address = endpoint.TokenEndpoint;
        var display = config.TokenEndpoint is null ? $"{address.Authority} (token endpoint from {Sanitizer.Url(endpoint.MetadataLocation)})" : address.Authority;
        var resource = string.IsNullOrEmpty(config.Resource) ? endpoint.Resource : config.Resource;
        var issuedAt = _timeProvider.GetUtcNow();

        TokenResponse response;
        try
        {
            response = config.Grant switch
            {
                GrantType.RefreshToken => await http.RequestRefreshTokenAsync(
                    Fill(new RefreshTokenRequest { RefreshToken = credentials.RefreshToken ?? string.Empty, Scope = JoinScopes(config) }, config, credentials, endpoint, resource, issuedAt),
                    linked.Token).ConfigureAwait(false),
                GrantType.TokenExchange => await http.RequestTokenExchangeTokenAsync(
                    Fill(
                        new TokenExchangeTokenRequest
                        {
                            SubjectToken = credentials.SubjectToken!,
                            SubjectTokenType = config.SubjectTokenType,
                            RequestedTokenType = config.RequestedTokenType,
                            Audience = config.ExchangeAudience,
                            Scope = JoinScopes(config),
                        },
                        config,
                        credentials,
                        endpoint,
                        resource,
                        issuedAt),
                    linked.Token).ConfigureAwait(false),
                _ => await http.RequestClientCredentialsTokenAsync(
                    Fill(new ClientCredentialsTokenRequest { Scope = JoinScopes(config) }, config, credentials, endpoint, resource, issuedAt),
                    linked.Token).ConfigureAwait(false),
            };
        }
        catch (ClientKeyException ex)
        {
            // Permanent: only a new key (a credentials change) or a spec change can fix it.
            return TokenRequestResult.Failed(new TokenFailure(FailureClass.Permanent, FailureKind.Local, Reasons.InvalidPrivateKey,
                $"spec.oauth.privateKeySecretRef: {ex.Message}"));
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

            if (response.Raw is null && response.Exception is { } readFailure)
            {
                // The headers came, the body did not (too large, or the connection broke while it was read). A body that
                // was read but is no JSON also carries an exception (Duende's parse error): that one is classified below.
                stopToken.ThrowIfCancellationRequested();
                return TokenRequestResult.Failed(TokenFailureClassifier.Classify(readFailure, stopToken, display)
                    ?? throw new OperationCanceledException(stopToken));
            }

            var location = response.HttpResponse.Headers.Location is { } l ? new Uri(address, l) : null;
            var answer = new HttpAnswer(
                (int)response.HttpResponse.StatusCode,
                response.HttpResponse.Content?.Headers.ContentType?.MediaType,
                response.Raw,
                HttpAnswer.ParseRetryAfter(response.HttpResponse.Headers.RetryAfter, _timeProvider.GetUtcNow()),
                location);
            return ReadAnswer(answer, config, endpoint, display, issuedAt, certificateThumbprint);
        }
    }

    /// <summary>
    /// Turns an HTTP answer into a grant or a failure. A refresh token in a 2xx is lifted out first: the IdP has rotated
    /// the moment it answered, so whatever is wrong with the rest of the answer, the new refresh token travels with the
    /// result (<see cref="TokenRequestResult.RefreshTokenOfFailedAnswer"/>) and the spent one is never sent again.
    /// </summary>
    private static TokenRequestResult ReadAnswer(
        HttpAnswer answer, TokenMonitorConfig config, DiscoveredEndpoint endpoint, string display, DateTimeOffset issuedAt, string? certificateThumbprint)
    {
        var issuedRefreshToken = answer.StatusCode is >= 200 and < 300 ? TokenResponseBody.Parse(answer).RefreshToken : null;
        try
        {
            if (TokenFailureClassifier.Classify(answer, display) is { } classified)
            {
                return TokenRequestResult.Failed(classified, issuedRefreshToken);
            }

            var body = TokenResponseBody.Parse(answer);
            var (expiresAt, expirySource) = AccessTokenExpiry.Of(issuedAt, body.ExpiresIn, body.AccessToken!);
            return TokenRequestResult.Success(new TokenGrant(
                body.AccessToken!,
                TokenFailureClassifier.PublishedTokenType(body.TokenType)!,
                issuedAt,
                expiresAt,
                body.Scope,
                body.RefreshToken,
                StatedLifetime.EndOf(issuedAt, body.RefreshExpiresIn),
                config.TokenEndpoint is null ? endpoint.Issuer : null,
                endpoint.TokenEndpoint)
            {
                TokenBinding = CertificateBinding.Of(body.AccessToken!, certificateThumbprint),
                ExpirySource = expirySource,
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Nothing here does I/O, so this is an answer no rule foresaw: unusable as sent, like a 2xx without access_token.
            return TokenRequestResult.Failed(
                new TokenFailure(FailureClass.Permanent, FailureKind.InvalidTokenResponse, Reasons.InvalidTokenResponse,
                    $"HTTP {answer.StatusCode} from {display} could not be read ({ex.GetType().Name})", answer.StatusCode),
                issuedRefreshToken);
        }
    }

    private Task<DiscoveryResult> ResolveTokenEndpointAsync(TokenMonitorConfig config, CancellationToken stopToken)
    {
        if (config.TokenEndpoint is { } direct)
        {
            return Task.FromResult(DiscoveryResult.Found(new DiscoveredEndpoint(direct.AbsoluteUri, direct, direct)));
        }

        if (config.Issuer is { } issuer)
        {
            return _discovery.FromIssuerAsync(issuer, stopToken);
        }

        if (config.ResourceUrl is { } resource)
        {
            return _discovery.FromResourceAsync(resource, config.AuthorizationServer, stopToken);
        }

        return Task.FromResult(DiscoveryResult.Failed(TokenFailureClassifier.DiscoveryNonsense("neither issuer, token endpoint nor resource URL configured")));
    }

    private static T Fill<T>(T request, TokenMonitorConfig config, MonitorCredentials credentials, DiscoveredEndpoint endpoint, string? resource, DateTimeOffset now)
        where T : ProtocolRequest
    {
        var address = endpoint.TokenEndpoint;
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
            case ClientAuthenticationMethod.PrivateKeyJwt:
                // A fresh assertion per request, so a retry never repeats a jti the IdP has already seen.
                request.ClientAssertion = new ClientAssertion
                {
                    Type = ClientAssertionSigner.JwtBearerAssertionType,
                    Value = ClientAssertionSigner.Create(
                        credentials.PrivateKey ?? throw new ClientKeyException("no private key was read from the Secret"),
                        config.ClientId ?? string.Empty,
                        config.AssertionAudienceIsIssuer ? endpoint.Issuer : address.AbsoluteUri,
                        config.KeyId,
                        config.SigningAlgorithm,
                        now,
                        // The 7523bis profile as a whole: issuer audience with the explicit type, token endpoint with JWT.
                        explicitType: config.AssertionAudienceIsIssuer),
                };
                request.ClientCredentialStyle = ClientCredentialStyle.PostBody;
                break;
            case ClientAuthenticationMethod.ServiceAccountToken:
                // The cluster signed it; the IdP trusts the cluster's issuer for this client (a federated credential).
                request.ClientAssertion = new ClientAssertion
                {
                    Type = ClientAssertionSigner.JwtBearerAssertionType,
                    Value = credentials.ServiceAccountToken!,
                };
                request.ClientCredentialStyle = ClientCredentialStyle.PostBody;
                break;
            default:
                request.ClientCredentialStyle = ClientCredentialStyle.PostBody;
                break;
        }

        if (!string.IsNullOrEmpty(resource))
        {
            request.Parameters.Add("resource", resource);
        }

        return request;
    }

    private static bool IsMutualTls(TokenMonitorConfig config) =>
        config.ClientAuthentication is ClientAuthenticationMethod.TlsClientAuth or ClientAuthenticationMethod.SelfSignedTlsClientAuth;

    private static string? JoinScopes(TokenMonitorConfig config) =>
        config.Scopes.Count == 0 ? null : string.Join(' ', config.Scopes);
}
