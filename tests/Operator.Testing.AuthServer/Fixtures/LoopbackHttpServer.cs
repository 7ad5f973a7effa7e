using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures;

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel) whose answers are plain functions of the request: fixtures for
/// the outside world (an IdP's documented discovery documents and token responses, a protected resource)
/// without a framework that has opinions of its own. Records every request it saw.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<FixtureRequest> _requests = new();
    private readonly Func<FixtureRequest, FixtureResponse> _handler;
    private WebApplication? _app;

    private readonly Func<X509Certificate2>? _certificate;

    private LoopbackHttpServer(Func<FixtureRequest, FixtureResponse> handler, Func<X509Certificate2>? certificate = null)
    {
        _handler = handler;
        _certificate = certificate;
    }

    /// <summary><c>http://127.0.0.1:{port}</c> (<c>https://</c> when started with a certificate), no trailing slash.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The port.</summary>
    public int Port { get; private set; }

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<FixtureRequest> Requests => [.. _requests];

    /// <summary>Starts a server that answers with <paramref name="handler"/>.</summary>
    public static async Task<LoopbackHttpServer> StartAsync(Func<FixtureRequest, FixtureResponse> handler, CancellationToken cancellationToken = default)
    {
        var server = new LoopbackHttpServer(handler);
        await server.StartCoreAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    /// <summary>
    /// Starts a server that speaks TLS (<c>https://127.0.0.1:{port}</c>) with whatever certificate
    /// <paramref name="certificate"/> returns at each handshake, so a test can expire and renew it while the server runs.
    /// </summary>
    public static async Task<LoopbackHttpServer> StartTlsAsync(Func<FixtureRequest, FixtureResponse> handler, Func<X509Certificate2> certificate, CancellationToken cancellationToken = default)
    {
        var server = new LoopbackHttpServer(handler, certificate);
        await server.StartCoreAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    /// <summary>Requests to <paramref name="path"/>.</summary>
    public IReadOnlyList<FixtureRequest> RequestsTo(string path) => Requests.Where(r => r.Path == path).ToList();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (_certificate is { } certificate)
            {
                listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, _) => certificate() });
            }
        }));
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        BaseUrl = $"{(_certificate is null ? "http" : "https")}://127.0.0.1:{Port}";
        _app = app;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (context.Request.HasFormContentType)
        {
            foreach (var (key, value) in await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false))
            {
                form[key] = value.ToString();
            }
        }

        var request = new FixtureRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "/",
            context.Request.Host.Value ?? "",
            context.Request.Headers.Accept.ToString(),
            context.Request.Headers.Authorization.ToString(),
            form);
        _requests.Enqueue(request);

        var response = _handler(request);
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers.Append(name, value);
        }

        if (response.ContentType is { } type)
        {
            context.Response.ContentType = type;
        }

        if (response.Body.Length > 0)
        {
            await context.Response.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
