using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace RemoteWorkloadOperator.Testing.AuthServer;

/// <summary>
/// An in-process OpenIddict authorization server on 127.0.0.1 behind a fault layer that can be switched at run time.
/// Supports <c>refresh_token</c> (rotation, reuse rejection, real revocation) and <c>client_credentials</c>, with
/// client authentication basic, post or none. Counts token requests and keeps their timestamps. Test support only.
/// </summary>
public sealed class TestAuthorizationServer : IAsyncDisposable
{
    /// <summary>Path of the token endpoint.</summary>
    public const string TokenPath = "/connect/token";

    /// <summary>Path of the token endpoint's mutual-TLS alias (served always, published with <see cref="AuthServerOptions.PublishMutualTlsAlias"/>).</summary>
    public const string MutualTlsAliasPath = "/mtls/connect/token";

    private const string SeedHeader = "X-Test-Seed";
    private const string SeedUser = "seed-user";
    private const string ClaimTokenId = "rt_id";
    private const string ClaimFamily = "rt_family";
    private const string ClaimClient = "rt_client";
    private const string JwtSubjectTokenType = "urn:ietf:params:oauth:token-type:jwt";

    private readonly AuthServerState _state;
    private readonly RsaSecurityKey _signingKey;
    private readonly SymmetricSecurityKey _encryptionKey;
    private readonly X509Certificate2? _certificate;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private WebApplication? _app;
    private int _port;
    private int _tlsPort;

    private TestAuthorizationServer(AuthServerOptions options)
    {
        _state = new AuthServerState(options);
        _signingKey = new RsaSecurityKey(RSA.Create(2048));
        _encryptionKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        _certificate = options.EnableTls ? SelfSignedCertificate.Create(DateTimeOffset.UtcNow) : null;
        _port = options.Port;
        _tlsPort = options.TlsPort;
    }

    /// <summary>Issuer URL of the plain HTTP listener (with trailing slash, as OpenIddict reports it).</summary>
    public Uri Issuer => new($"http://127.0.0.1:{_port}/");

    /// <summary>Token endpoint of the plain HTTP listener.</summary>
    public Uri TokenEndpoint => new($"http://127.0.0.1:{_port}{TokenPath}");

    /// <summary>Issuer URL of the TLS listener (self-signed certificate, untrusted by default).</summary>
    public Uri TlsIssuer => new($"https://127.0.0.1:{RequireTls()}/");

    /// <summary>Token endpoint of the TLS listener.</summary>
    public Uri TlsTokenEndpoint => new($"https://127.0.0.1:{RequireTls()}{TokenPath}");

    /// <summary>The TLS listener's self-signed certificate (trust it explicitly to make TLS succeed).</summary>
    public X509Certificate2? TlsCertificate => _certificate;

    /// <summary>HTTP port.</summary>
    public int Port => _port;

    /// <summary>The CA whose certificates <c>tls_client_auth</c> clients present (trust it nowhere else).</summary>
    public X509Certificate2 ClientCertificateAuthority => _state.MutualTls.Authority;

    /// <summary>Token requests authenticated by a TLS client certificate so far.</summary>
    public int AcceptedClientCertificates => _state.MutualTls.Accepted;

    /// <summary>Token requests that arrived at <see cref="MutualTlsAliasPath"/>.</summary>
    public int MutualTlsAliasRequests => Volatile.Read(ref _state.MutualTlsAliasRequests);

    /// <summary>Registers a <c>self_signed_tls_client_auth</c> client (RFC 8705 §2.2) by the certificates it may present.</summary>
    public void RegisterSelfSignedTlsClient(string clientId, params X509Certificate2[] certificates) => _state.MutualTls.RegisterSelfSigned(clientId, certificates);

    /// <summary>Registers a <c>tls_client_auth</c> client (RFC 8705 §2.1) by the subject DN of its CA-issued certificate.</summary>
    public void RegisterTlsClient(string clientId, string subjectDistinguishedName) => _state.MutualTls.RegisterSubject(clientId, subjectDistinguishedName);

    /// <summary>A client certificate (with key) for <paramref name="subject"/> issued by <see cref="ClientCertificateAuthority"/>.</summary>
    public X509Certificate2 IssueClientCertificate(string subject, DateTimeOffset? notAfter = null) =>
        _state.MutualTls.Issue(subject, DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30));

    /// <summary>A self-signed client certificate (with key).</summary>
    public static X509Certificate2 SelfSignedClientCertificate(string subject, DateTimeOffset? notAfter = null) =>
        MutualTlsClientRegistry.SelfSigned(subject, DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30));

    /// <summary>True while the listeners accept connections.</summary>
    public bool IsListening => _app is not null;

    /// <summary>Lifetime of access tokens issued from now on.</summary>
    public TimeSpan AccessTokenLifetime
    {
        get => _state.AccessTokenLifetime;
        set => _state.AccessTokenLifetime = value;
    }

    /// <summary>
    /// When set, every successful token answer states this <c>expires_in</c> (in seconds), after the request was
    /// processed in full: an IdP announcing a lifetime no clock can hold. Null (the default) leaves answers alone.
    /// </summary>
    public decimal? ExpiresInOverride
    {
        get => _state.ExpiresInOverride;
        set => _state.ExpiresInOverride = value;
    }

    /// <summary>
    /// While set, the TLS listener answers every handshake with this fatal TLS alert (80 <c>internal_error</c>, 112
    /// <c>unrecognized_name</c>, RFC 8446 §6.2) instead of a certificate: a load balancer in the middle of a reload.
    /// Null (the default) serves TLS normally. The plain listener is unaffected.
    /// </summary>
    public byte? TlsAlert
    {
        get => _state.TlsAlert;
        set
        {
            _state.TlsAlert = value;
            if (value is not null)
            {
                // A reload drops the connections it had: pooled ones must not carry requests past the incident.
                foreach (var connection in _state.OpenTlsConnections.Values)
                {
                    connection.Abort();
                }
            }
        }
    }

    /// <summary><c>Retry-After</c> sent with <see cref="AuthServerFault.ServiceUnavailable503"/> and <see cref="AuthServerFault.TooManyRequests429"/>.</summary>
    public TimeSpan RetryAfter
    {
        get => _state.RetryAfter;
        set => _state.RetryAfter = value;
    }

    /// <summary>The fault currently applied to token requests.</summary>
    public AuthServerFault Fault => _state.TokenFault;

    /// <summary>The fault applied to discovery requests (<c>/.well-known/*</c>).</summary>
    public AuthServerFault DiscoveryFault
    {
        get => _state.DiscoveryFault;
        set => _state.DiscoveryFault = value;
    }

    /// <summary>Token requests received (faulted ones included; seeding excluded).</summary>
    public int TokenRequestCount => _state.TokenRequests.Count;

    /// <summary>When each counted token request arrived (on <see cref="AuthServerOptions.TimeProvider"/>).</summary>
    public IReadOnlyList<DateTimeOffset> TokenRequestTimes => _state.TokenRequests;

    /// <summary>Refresh tokens issued so far (seeding and rotation).</summary>
    public int RefreshTokensIssued => Volatile.Read(ref _state.RefreshTokensIssued);

    /// <summary>Starts a server on 127.0.0.1 (port 0 = free port).</summary>
    public static async Task<TestAuthorizationServer> StartAsync(AuthServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var server = new TestAuthorizationServer(options ?? new AuthServerOptions());
        await server.StartListenerAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    /// <summary>Refresh tokens presented a second time; each made the server revoke the token's family.</summary>
    public int ReusedRefreshTokens => _state.ReusedRefreshTokens;

    /// <summary>Token requests answered <c>invalid_grant</c>.</summary>
    public int InvalidGrants => Volatile.Read(ref _state.InvalidGrants);

    /// <summary>Processes the next token request in full, then holds its reply until <see cref="HeldReply.Release"/>.</summary>
    public HeldReply HoldNextReply() => _state.HoldNextReply();

    /// <summary>Registers a client. A null secret makes it a public client (client authentication none).</summary>
    public void RegisterClient(string clientId, string? clientSecret) => _state.RegisterClient(clientId, clientSecret);

    /// <summary>Registers a <c>private_key_jwt</c> client (RFC 7523 §2.2) by its public key.</summary>
    public void RegisterAssertionClient(string clientId, SecurityKey publicKey) => _state.Assertions.Register(clientId, publicKey);

    /// <summary>
    /// Registers a client that authenticates with a token of an outside issuer as its client assertion (a federated
    /// identity credential: issuer, subject, audience), e.g. a Kubernetes ServiceAccount token.
    /// </summary>
    public void RegisterFederatedClient(string clientId, FederatedCredential credential) => _state.Federations.Register(clientId, credential);

    /// <summary>Every client assertion a federated client presented (secret material: for leak searches only).</summary>
    public IReadOnlyList<string> PresentedFederatedAssertions => [.. _state.Federations.Presented];

    /// <summary>
    /// Lets <paramref name="clientId"/> exchange (RFC 8693) JWT subject tokens of an outside issuer, e.g. ServiceAccount
    /// tokens, for access tokens whose <c>sub</c> is the subject token's.
    /// </summary>
    public void TrustSubjectTokens(string clientId, FederatedCredential credential) => _state.SubjectTokens.Register(clientId, credential);

    /// <summary>Subject tokens accepted by token exchange so far.</summary>
    public int SubjectTokensAccepted => _state.SubjectTokens.Accepted;

    /// <summary>Every subject token presented to token exchange (secret material: for leak searches only).</summary>
    public IReadOnlyList<string> PresentedSubjectTokens => [.. _state.SubjectTokens.Presented];

    /// <summary>Federated client assertions accepted so far.</summary>
    public int FederatedAssertionsAccepted => _state.Federations.Accepted;

    /// <summary>Federated client assertions refused because their <c>jti</c> had been presented before.</summary>
    public int ReplayedFederatedAssertions => _state.Federations.Replays;

    /// <summary><c>private_key_jwt</c> assertions accepted so far.</summary>
    public int AcceptedAssertions => _state.Assertions.Accepted;

    /// <summary>Client assertions refused because their <c>jti</c> had been presented before.</summary>
    public int ReplayedAssertions => _state.Assertions.Replays;

    /// <summary>Applies <paramref name="fault"/> to token requests, for the next <paramref name="times"/> requests or until changed.</summary>
    public void SetFault(AuthServerFault fault, int? times = null) => _state.SetTokenFault(fault, times);

    /// <summary>Revokes every refresh token issued to <paramref name="clientId"/>: the next use answers <c>invalid_grant</c>.</summary>
    public void RevokeRefreshTokens(string clientId) => _state.RevokeClient(clientId);

    /// <summary>Forgets the request counters.</summary>
    public void ResetCounters() => _state.ResetCounters();

    /// <summary>
    /// Obtains a real refresh token for <paramref name="clientId"/> from this server (a password grant for a built-in
    /// test user with <c>offline_access</c>), so tests can seed the credentials Secret. Not counted.
    /// </summary>
    public Task<string> IssueRefreshTokenAsync(string clientId, string? clientSecret = null, IEnumerable<string>? scopes = null, CancellationToken cancellationToken = default) =>
        IssueRefreshTokenAsync(TokenEndpoint, new SocketsHttpHandler(), clientId, clientSecret, scopes, cancellationToken);

    /// <summary>
    /// As <see cref="IssueRefreshTokenAsync(string, string?, IEnumerable{string}?, CancellationToken)"/>, through the TLS
    /// listener: the token's issuer is then <see cref="TlsIssuer"/>, which is what a refresh over TLS requires.
    /// </summary>
    public Task<string> IssueRefreshTokenOverTlsAsync(string clientId, string? clientSecret = null, CancellationToken cancellationToken = default)
    {
        var pinned = _certificate?.GetCertHashString();
        return IssueRefreshTokenAsync(
            TlsTokenEndpoint,
            new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == pinned } },
            clientId,
            clientSecret,
            null,
            cancellationToken);
    }

    private async Task<string> IssueRefreshTokenAsync(Uri tokenEndpoint, SocketsHttpHandler handler, string clientId, string? clientSecret, IEnumerable<string>? scopes, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(handler, disposeHandler: true);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = GrantTypes.Password,
            ["username"] = SeedUser,
            ["password"] = SeedUser,
            ["client_id"] = clientId,
            ["scope"] = string.Join(' ', (scopes ?? []).Append(Scopes.OfflineAccess)),
        };
        if (clientSecret is not null)
        {
            form["client_secret"] = clientSecret;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add(SeedHeader, "1");
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        if (!response.IsSuccessStatusCode || !json.RootElement.TryGetProperty("refresh_token", out var token))
        {
            var error = json.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
            throw new InvalidOperationException($"Seeding a refresh token failed: HTTP {(int)response.StatusCode} {error}");
        }

        return token.GetString()!;
    }

    /// <summary>Stops the listeners: connections are refused until <see cref="StartListenerAsync"/>. Hanging requests are released.</summary>
    public async Task StopListenerAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_app is null)
            {
                return;
            }

            await _state.Hangs.CancelAsync().ConfigureAwait(false);
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
            _state.Hangs.Dispose();
            _state.Hangs = new CancellationTokenSource();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>(Re)starts the listeners on the same ports; clients, tokens and faults are kept.</summary>
    public async Task StartListenerAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_app is not null)
            {
                return;
            }

            var app = Build();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            foreach (var address in addresses)
            {
                var uri = new Uri(address);
                if (uri.Scheme == Uri.UriSchemeHttps)
                {
                    _tlsPort = uri.Port;
                }
                else
                {
                    _port = uri.Port;
                }
            }

            _app = app;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopListenerAsync().ConfigureAwait(false);
        _state.Hangs.Dispose();
        _certificate?.Dispose();
        _state.MutualTls.Dispose();
        _signingKey.Rsa?.Dispose();
        _lifecycle.Dispose();
    }

    private int RequireTls() => _certificate is null ? throw new InvalidOperationException("TLS is disabled (AuthServerOptions.EnableTls).") : _tlsPort;

    private WebApplication Build()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, _port);
            if (_certificate is not null)
            {
                // Asked for, not required: OpenIddict and MutualTlsClientRegistry decide per client what a certificate proves.
                kestrel.Listen(IPAddress.Loopback, _tlsPort, listen =>
                {
                    // Before the handshake, so an incident answers in place of TLS.
                    listen.Use(TlsIncidentLayer.For(_state));
                    listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = _certificate,
                        ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate,
                        ClientCertificateValidation = (_, _, _) => true,
                    });
                });
            }
        });
        builder.Services.AddSingleton(_state);
        builder.Services.AddOpenIddict().AddServer(server =>
        {
            server.SetTokenEndpointUris(TokenPath.TrimStart('/'), MutualTlsAliasPath.TrimStart('/'));
            // RFC 8705: certificates as client credentials (checked per client by MutualTlsClientRegistry, since the
            // degraded mode has no application store) and access tokens bound to the presented certificate (cnf).
            server.EnableSelfSignedTlsClientAuthentication();
            server.EnablePublicKeyInfrastructureTlsClientAuthentication([_state.MutualTls.AuthorityCertificate]);
            server.UseClientCertificateBoundAccessTokens();
            server.AddEventHandler<OpenIddict.Server.OpenIddictServerEvents.HandleConfigurationRequestContext>(handler =>
                handler.UseInlineHandler(context =>
                {
                    if (_state.Options.PublishMutualTlsAlias && _certificate is not null)
                    {
                        context.MtlsTokenEndpointAlias = new Uri($"https://127.0.0.1:{_tlsPort}{MutualTlsAliasPath}");
                    }

                    return default;
                }));
            server.AllowRefreshTokenFlow().AllowClientCredentialsFlow().AllowPasswordFlow().AllowTokenExchangeFlow();
            // OpenIddict exchanges only the token types it issues itself; an outside JWT (a ServiceAccount token) is
            // accepted as a subject token here and checked by AuthServerState.SubjectTokens in HandleTokenAsync.
            server.Configure(options => options.SubjectTokenTypes.Add(JwtSubjectTokenType));
            server.EnableDegradedMode();
            server.DisableScopeValidation();
            server.DisableResourceValidation();
            server.DisableAudienceValidation();
            server.DisableAccessTokenEncryption();
            server.AddSigningKey(_signingKey);
            server.AddEncryptionKey(_encryptionKey);
            server.SetRefreshTokenLifetime(_state.Options.RefreshTokenLifetime);
            server.UseAspNetCore().DisableTransportSecurityRequirement().EnableTokenEndpointPassthrough();
            // The degraded mode has no application store holding each client's key set: hand OpenIddict the registered
            // public key, so its own client-assertion validation (signature, iss, aud, exp, typ) does the work.
            server.AddEventHandler<OpenIddict.Server.OpenIddictServerEvents.ValidateTokenContext>(handler =>
                handler.UseInlineHandler(context =>
                {
                    if (context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.ClientAssertion)
                        && _state.Assertions.KeyOf(context.Request?.ClientId) is { } key)
                    {
                        context.TokenValidationParameters.IssuerSigningKeys = [key];
                    }

                    return default;
                }).SetOrder(OpenIddict.Server.OpenIddictServerHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 1));
            // A federated client's assertion is not a private_key_jwt one (another issuer, typ JWT): OpenIddict's own
            // client-assertion validation is switched off for it, and FederatedCredentialRegistry checks it instead.
            server.AddEventHandler<OpenIddict.Server.OpenIddictServerEvents.ProcessAuthenticationContext>(handler =>
                handler.UseInlineHandler(context =>
                {
                    if (context.Request?.IsTokenExchangeGrantType() == true && context.Request.SubjectTokenType == JwtSubjectTokenType)
                    {
                        context.ExtractSubjectToken = false;
                        context.RequireSubjectToken = false;
                        context.ValidateSubjectToken = false;
                        context.RejectSubjectToken = false;
                    }

                    if (_state.Federations.IsFederated(context.Request?.ClientId))
                    {
                        context.ExtractClientAssertion = false;
                        context.RequireClientAssertion = false;
                        context.ValidateClientAssertion = false;
                        context.RejectClientAssertion = false;
                    }

                    return default;
                }).SetOrder(OpenIddict.Server.OpenIddictServerHandlers.EvaluateValidatedTokens.Descriptor.Order + 1));
            server.AddEventHandler<OpenIddict.Server.OpenIddictServerEvents.ValidateTokenRequestContext>(handler =>
                handler.UseInlineHandler(async context =>
                {
                    if (_state.Federations.IsFederated(context.ClientId))
                    {
                        var refused = context.Request.ClientAssertionType != ClientAssertionTypes.JwtBearer
                            ? "this client authenticates with a federated credential (jwt-bearer client_assertion)"
                            : await _state.Federations.ValidateAsync(context.ClientId, context.Request.ClientAssertion, _state.Options.TimeProvider.GetUtcNow(), context.CancellationToken).ConfigureAwait(false);
                        if (refused is not null)
                        {
                            context.Reject(Errors.InvalidClient, refused);
                        }

                        return;
                    }

                    if (_state.MutualTls.IsRegistered(context.ClientId))
                    {
                        var presented = context.Transaction.GetHttpRequest()?.HttpContext.Connection.ClientCertificate;
                        if (_state.MutualTls.Validate(context.ClientId!, presented, _state.Options.TimeProvider.GetUtcNow()) is { } refused)
                        {
                            context.Reject(Errors.InvalidClient, refused);
                        }

                        return;
                    }

                    if (context.Request.ClientAssertionType == ClientAssertionTypes.JwtBearer || _state.Assertions.IsRegistered(context.ClientId))
                    {
                        // The degraded mode has no application store to hold the client's key set, so the assertion is
                        // checked here against the registered public key (RFC 7523 §3).
                        var why = context.Request.ClientAssertion is { } assertion
                            ? await _state.Assertions.ValidateAsync(context.ClientId, assertion, [TokenEndpoint.AbsoluteUri, Issuer.AbsoluteUri], _state.Options.TimeProvider.GetUtcNow()).ConfigureAwait(false)
                            : "this client authenticates with private_key_jwt";
                        if (why is not null)
                        {
                            context.Reject(Errors.InvalidClient, why);
                        }

                        return;
                    }

                    if (!_state.ValidateClient(context.ClientId, context.ClientSecret, out var description))
                    {
                        context.Reject(Errors.InvalidClient, description);
                    }
                }));
        });

        var app = builder.Build();
        // The fault layer must run before OpenIddict, which answers discovery and rejects bad token requests inside
        // the authentication middleware (that WebApplication would otherwise put first).
        app.Use(FaultLayer.InvokeAsync);
        app.Use(HoldLayer.InvokeAsync);
        app.Use(ExpiresInRewrite.InvokeAsync);
        app.UseAuthentication();
        app.UseRouting();
        app.MapPost(TokenPath, HandleTokenAsync);
        app.MapPost(MutualTlsAliasPath, (HttpContext context, AuthServerState state) =>
        {
            Interlocked.Increment(ref state.MutualTlsAliasRequests);
            return HandleTokenAsync(context, state);
        });
        return app;
    }

    private static async Task<IResult> HandleTokenAsync(HttpContext context, AuthServerState state)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenIddict request.");
        var clientId = request.ClientId ?? string.Empty;
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        IEnumerable<string> scopes = request.GetScopes();
        string family;

        if (request.IsClientCredentialsGrantType())
        {
            identity.SetClaim(Claims.Subject, clientId);
            family = string.Empty;
        }
        else if (request.IsPasswordGrantType())
        {
            if (request.Username != SeedUser || request.Password != SeedUser)
            {
                return RejectGrant(state, "unknown user");
            }

            identity.SetClaim(Claims.Subject, SeedUser);
            family = state.NewFamily(clientId);
        }
        else if (request.IsRefreshTokenGrantType())
        {
            var presented = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme).ConfigureAwait(false)).Principal;
            if (presented is null)
            {
                return RejectGrant(state, "invalid refresh token");
            }

            if (!state.TryRedeem(presented.GetClaim(ClaimTokenId), presented.GetClaim(ClaimFamily), out var why))
            {
                return RejectGrant(state, why);
            }

            identity.SetClaim(Claims.Subject, presented.GetClaim(Claims.Subject));
            family = presented.GetClaim(ClaimFamily)!;
            if (!request.GetScopes().Any())
            {
                scopes = presented.GetScopes();
            }
            else
            {
                scopes = request.GetScopes().Append(Scopes.OfflineAccess).Distinct(StringComparer.Ordinal);
            }
        }
        else if (request.IsTokenExchangeGrantType())
        {
            if (request.SubjectTokenType != JwtSubjectTokenType)
            {
                return Reject(Errors.InvalidRequest, $"only subject_token_type {JwtSubjectTokenType} is exchanged here");
            }

            if (!state.SubjectTokens.IsFederated(clientId))
            {
                return Reject(Errors.UnauthorizedClient, "this client may not exchange tokens");
            }

            if (await state.SubjectTokens.ValidateAsync(clientId, request.SubjectToken, state.Options.TimeProvider.GetUtcNow(), context.RequestAborted).ConfigureAwait(false) is { } refused)
            {
                return RejectGrant(state, $"subject_token refused: {refused}");
            }

            identity.SetClaim(Claims.Subject, SubjectOf(request.SubjectToken!));
            family = string.Empty;
        }
        else
        {
            return Reject(Errors.UnsupportedGrantType, "unsupported grant type");
        }

        identity.SetClaim(ClaimClient, clientId);
        if (family.Length > 0)
        {
            identity.SetClaim(ClaimFamily, family);
            identity.SetClaim(ClaimTokenId, Guid.NewGuid().ToString("N"));
        }

        var principal = new ClaimsPrincipal(identity);
        principal.SetScopes(scopes);
        if (request.Resources is { Length: > 0 } resources)
        {
            principal.SetResources(resources.OfType<string>());
        }

        principal.SetAccessTokenLifetime(state.AccessTokenLifetime);
        principal.SetDestinations(static claim => claim.Type is ClaimTokenId or ClaimFamily ? [] : [Destinations.AccessToken]);
        if (family.Length > 0 && principal.HasScope(Scopes.OfflineAccess))
        {
            Interlocked.Increment(ref state.RefreshTokensIssued);
        }

        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static string SubjectOf(string jwt) =>
        new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(jwt).Subject;

    private static IResult RejectGrant(AuthServerState state, string description)
    {
        Interlocked.Increment(ref state.InvalidGrants);
        return Reject(Errors.InvalidGrant, description);
    }

    private static IResult Reject(string error, string description) =>
        Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    /// <summary>The fault layer in front of OpenIddict.</summary>
    /// <summary>Buffers a held token reply until the test releases it; the processing itself is never undone.</summary>
    private static class HoldLayer
    {
        public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
        {
            var state = context.RequestServices.GetRequiredService<AuthServerState>();
            var hold = context.Request.Path == TokenPath ? state.TakeHold() : null;
            if (hold is null)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var original = context.Response.Body;
            using var buffer = await BufferedResponse.CaptureAsync(context, next).ConfigureAwait(false);

            hold.MarkProcessed();
            await hold.Released.ConfigureAwait(false);
            try
            {
                await buffer.CopyToAsync(original, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // The client hung up while the reply was held: the refresh happened all the same.
            }
        }
    }

    private static class FaultLayer
    {
        public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
        {
            var state = context.RequestServices.GetRequiredService<AuthServerState>();
            AuthServerFault fault;
            if (context.Request.Path.Equals(TokenPath, StringComparison.Ordinal))
            {
                fault = state.OnTokenRequest(count: !context.Request.Headers.ContainsKey(SeedHeader));
                if (context.Request.Headers.ContainsKey(SeedHeader))
                {
                    fault = AuthServerFault.None;
                }
            }
            else if (context.Request.Path.StartsWithSegments("/.well-known", StringComparison.Ordinal))
            {
                fault = state.DiscoveryFault;
            }
            else
            {
                fault = AuthServerFault.None;
            }

            var response = context.Response;
            var retryAfter = ((int)Math.Ceiling(state.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            switch (fault)
            {
                case AuthServerFault.None:
                    await next(context).ConfigureAwait(false);
                    return;
                case AuthServerFault.WafHtml403:
                    response.StatusCode = StatusCodes.Status403Forbidden;
                    await response.WriteAsync("<html><head><title>403 Forbidden</title></head><body><h1>Request blocked</h1><p>Incident ID 5f2a</p></body></html>").ConfigureAwait(false);
                    return;
                case AuthServerFault.Html200:
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentType = "text/html; charset=utf-8";
                    await response.WriteAsync("<!DOCTYPE html><html><body><form>Sign in to the corporate proxy</form></body></html>").ConfigureAwait(false);
                    return;
                case AuthServerFault.ServerError500:
                    response.StatusCode = StatusCodes.Status500InternalServerError;
                    response.ContentType = "text/plain";
                    await response.WriteAsync("Internal Server Error").ConfigureAwait(false);
                    return;
                case AuthServerFault.ServiceUnavailable503:
                    response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    response.Headers.RetryAfter = retryAfter;
                    response.ContentType = "text/html";
                    await response.WriteAsync("<html><body>Service Unavailable</body></html>").ConfigureAwait(false);
                    return;
                case AuthServerFault.TooManyRequests429:
                    response.StatusCode = StatusCodes.Status429TooManyRequests;
                    response.Headers.RetryAfter = retryAfter;
                    response.ContentType = "application/json";
                    await response.WriteAsync("""{"error":"invalid_request","error_description":"rate limit exceeded"}""").ConfigureAwait(false);
                    return;
                case AuthServerFault.InvalidClient:
                    response.StatusCode = StatusCodes.Status401Unauthorized;
                    response.ContentType = "application/json";
                    await response.WriteAsync("""{"error":"invalid_client","error_description":"client authentication failed"}""").ConfigureAwait(false);
                    return;
                case AuthServerFault.TemporarilyUnavailable:
                    response.StatusCode = StatusCodes.Status400BadRequest;
                    response.ContentType = "application/json";
                    await response.WriteAsync("""{"error":"temporarily_unavailable","error_description":"the server is under maintenance"}""").ConfigureAwait(false);
                    return;
                case AuthServerFault.JsonWithoutAccessToken:
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentType = "application/json";
                    await response.WriteAsync("""{"token_type":"Bearer","expires_in":3600}""").ConfigureAwait(false);
                    return;
                case AuthServerFault.DiscoveryNonsense:
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentType = "application/json";
                    await response.WriteAsync("""{"issuer":"https://somewhere-else.invalid/","jwks_uri":"https://somewhere-else.invalid/jwks"}""").ConfigureAwait(false);
                    return;
                case AuthServerFault.ResetMidResponse:
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentType = "application/json";
                    response.ContentLength = 4096;
                    await response.WriteAsync("""{"access_token":"eyJhbGciOi""").ConfigureAwait(false);
                    await response.Body.FlushAsync().ConfigureAwait(false);
                    context.Abort();
                    return;
                case AuthServerFault.Hang:
                    using (var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, state.Hangs.Token))
                    {
                        try
                        {
                            await Task.Delay(Timeout.InfiniteTimeSpan, linked.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            context.Abort();
                        }
                    }

                    return;
                default:
                    throw new InvalidOperationException($"Unknown fault {fault}.");
            }
        }
    }
}
