using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;
using RemoteWorkloadOperator.Testing.ControlPlane.Faults;
using RemoteWorkloadOperator.Testing.ControlPlane.Http;
using RemoteWorkloadOperator.Testing.ControlPlane.Security;
using RemoteWorkloadOperator.Testing.ControlPlane.Storage;
using RemoteWorkloadOperator.Testing.ControlPlane.Validation;
using RemoteWorkloadOperator.Testing.ControlPlane.Yaml;

namespace RemoteWorkloadOperator.Testing.ControlPlane;

/// <summary>
/// An in-process Kubernetes API server emulator on 127.0.0.1 (HTTPS with a throwaway CA, bearer tokens), for
/// tests and local runs. <c>await using var cp = await LocalControlPlane.StartAsync();</c>
/// </summary>
public sealed class LocalControlPlane : IKubernetesTestCluster
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private readonly string _workDirectory;
    private readonly bool _ownsWorkDirectory;
    private readonly ServingCertificates _certificates;

    private LocalControlPlane(WebApplication app, CancellationTokenSource stopping, ObjectStore store, ResourceOperations operations, TokenAuthenticator authenticator, ControlPlaneFaults faults, string workDirectory, bool ownsWorkDirectory, ServingCertificates certificates)
    {
        _certificates = certificates;
        _app = app;
        _stopping = stopping;
        Store = store;
        Operations = operations;
        Authenticator = authenticator;
        Faults = faults;
        _workDirectory = workDirectory;
        _ownsWorkDirectory = ownsWorkDirectory;
    }

    /// <summary>The server's base address, e.g. https://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The admin kubeconfig (user kubernetes-admin, group system:masters, namespace default).</summary>
    public string KubeconfigPath { get; private set; } = "";

    /// <summary>The admin bearer token.</summary>
    public string AdminToken { get; private set; } = "";

    /// <summary>Fault injection (write failures, dropped watches, compaction, delays, refused connections).</summary>
    public ControlPlaneFaults Faults { get; }

    /// <summary>Every request's method and path as it arrives (to count requests; no effect on serving them).</summary>
    public RequestObservers Requests { get; private init; } = new();

    /// <summary>Direct access to stored objects (bypasses HTTP, RBAC and validation) for assertions.</summary>
    public ObjectStore Store { get; }

    /// <summary>The storage semantics used by the HTTP handlers, for in-process writes.</summary>
    public ResourceOperations Operations { get; }

    /// <summary>Token → identity mapping.</summary>
    public TokenAuthenticator Authenticator { get; }

    /// <summary>CEL rules met in installed schemas that the emulator could not evaluate (not enforced).</summary>
    public static IReadOnlyDictionary<string, string> UnenforcedCelRules => SchemaValidator.UnenforcedRules;

    public static async Task<LocalControlPlane> StartAsync(LocalControlPlaneOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalControlPlaneOptions();
        var ownsWorkDirectory = options.WorkDirectory is null;
        var workDirectory = options.WorkDirectory ?? Directory.CreateTempSubdirectory("control-plane-").FullName;
        Directory.CreateDirectory(workDirectory);

        var store = new ObjectStore(options.HistoryLimit);
        var registry = new ResourceRegistry();
        var operations = new ResourceOperations(store, registry);
        var authenticator = new TokenAuthenticator();
        var faults = new ControlPlaneFaults(store);
        var stopping = new CancellationTokenSource();
        var certificates = ServingCertificates.Create();
        var authorizer = new RbacAuthorizer(store);
        var admission = options.OwnerReferencesPermissionEnforcement ? new OwnerReferencesAdmission(authorizer, registry) : null;
        var server = new ApiServer(operations, authenticator, authorizer, faults, options, admission, stopping.Token);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                // HTTP/2 when the client offers it in ALPN (client-go does; so does .NET's HttpClient when
                // asked for 2.0), HTTP/1.1 otherwise: as kube-apiserver serves.
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.Use(next => connection => faults.ServeConnectionAsync(connection, next));
                listen.UseHttps(certificates.Server);
            });
        });
        var app = builder.Build();
        var requests = new RequestObservers();
        app.Use(next => async context =>
        {
            if (!requests.Any)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            // A watch is told of when it starts (it may stream for minutes); every other request once it is answered,
            // with its status code.
            var (method, path) = (context.Request.Method, context.Request.Path.Value ?? "/");
            if (context.Request.Query["watch"].ToString() is "true" or "1")
            {
                requests.Notify(new ObservedRequest(method, path, Watch: true, StatusCode: 0));
                await next(context).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
            requests.Notify(new ObservedRequest(method, path, Watch: false, context.Response.StatusCode));
        });
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetService(typeof(IServer)) is IServer s
            ? s.Features.Get<IServerAddressesFeature>()!.Addresses.First()
            : throw new InvalidOperationException("no server");
        var baseAddress = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/");
        server.ServerAddress = baseAddress.Authority;

        var controlPlane = new LocalControlPlane(app, stopping, store, operations, authenticator, faults, workDirectory, ownsWorkDirectory, certificates)
        {
            BaseAddress = baseAddress,
            Requests = requests,
        };
        controlPlane.AdminToken = options.AdminToken ?? authenticator.Issue(Identity.Admin);
        if (options.AdminToken is not null)
        {
            authenticator.Register(options.AdminToken, Identity.Admin);
        }

        controlPlane.Bootstrap();
        controlPlane.KubeconfigPath = options.KubeconfigPath ?? Path.Combine(workDirectory, "admin.kubeconfig");
        Kubeconfig.Write(controlPlane.KubeconfigPath, baseAddress, certificates.CertificateAuthorityPem, Identity.Admin.UserName, controlPlane.AdminToken);
        foreach (var path in options.ApplyAtStart)
        {
            if (Directory.Exists(path))
            {
                await controlPlane.ApplyDirectoryAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await controlPlane.ApplyYamlFileAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        return controlPlane;
    }

    private void Bootstrap()
    {
        var namespaces = Operations.Registry.Find("", "v1", "namespaces")!;
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            Operations.Create(namespaces, "", new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, new WriteOptions());
        }

        var clusterRoles = Operations.Registry.Find("rbac.authorization.k8s.io", "v1", "clusterroles")!;
        Operations.Create(clusterRoles, "", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "cluster-admin" },
            ["rules"] = new JsonArray(
                new JsonObject { ["apiGroups"] = new JsonArray("*"), ["resources"] = new JsonArray("*"), ["verbs"] = new JsonArray("*") }),
        }, new WriteOptions());
    }

    /// <summary>A client authenticated as the admin (system:masters).</summary>
    public Kubernetes CreateAdminClient() => CreateClient(AdminToken);

    /// <summary>A client authenticated as a ServiceAccount (the ServiceAccount object is created if missing).</summary>
    public Kubernetes CreateClientFor(string ns, string name) => CreateClient(IssueServiceAccountToken(ns, name));

    /// <summary>A client authenticated as an arbitrary user with the given groups (system:authenticated is added).</summary>
    public Kubernetes CreateClientForUser(string userName, params string[] groups) =>
        CreateClient(Authenticator.Issue(new Identity(userName, [.. groups, "system:authenticated"])));

    /// <summary>A bearer token for a ServiceAccount (creating the ServiceAccount object when its namespace exists).</summary>
    public string IssueServiceAccountToken(string ns, string name)
    {
        var serviceAccounts = Operations.Registry.Find("", "v1", "serviceaccounts")!;
        if (Store.Get("/namespaces", "", ns) is not null && Store.Get(serviceAccounts.StorageKey, ns, name) is null)
        {
            try
            {
                Operations.Create(serviceAccounts, ns, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, new WriteOptions());
            }
            catch (ApiException e) when (e.Code == 409)
            {
                // Created concurrently.
            }
        }

        return Authenticator.Issue(Identity.ForServiceAccount(ns, name));
    }

    /// <summary>Writes a kubeconfig for a ServiceAccount next to the admin one (or at <paramref name="path"/>).</summary>
    public string WriteServiceAccountKubeconfig(string ns, string name, string? path = null)
    {
        path ??= Path.Combine(_workDirectory, $"{ns}.{name}.kubeconfig");
        Kubeconfig.Write(path, BaseAddress, _certificates.CertificateAuthorityPem, $"system:serviceaccount:{ns}:{name}", IssueServiceAccountToken(ns, name), ns);
        return path;
    }

    public Task<string> WriteServiceAccountKubeconfigAsync(string ns, string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(WriteServiceAccountKubeconfig(ns, name));

    public Task<Kubernetes> CreateClientForAsync(string ns, string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(CreateClientFor(ns, name));

    private Kubernetes CreateClient(string token) => new(new KubernetesClientConfiguration
    {
        Host = BaseAddress.GetLeftPart(UriPartial.Authority),
        AccessToken = token,
        Namespace = "default",
        SslCaCerts = [X509CertificateLoader.LoadCertificate(_certificates.CertificateAuthority.RawData)],
    });

    /// <summary>The CA certificate (PEM) that signs the serving certificate.</summary>
    public string CertificateAuthorityPem => _certificates.CertificateAuthorityPem;

    /// <summary>A plain HTTP client (no credentials) that trusts this control plane's CA and nothing else: what an IdP
    /// uses to read the cluster's OIDC discovery document and JWKS.</summary>
    public HttpClient NewAnonymousHttpClient()
    {
        var authority = _certificates.CertificateAuthority;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 served && chain.Build(served);
        };
        return new HttpClient(handler, disposeHandler: true);
    }

    /// <summary>
    /// Applies every document (server-side apply semantics, field manager "test", as admin, in process).
    /// Namespaced objects without a namespace go to <paramref name="defaultNamespace"/> (default "default").
    /// </summary>
    public Task ApplyYamlAsync(string yaml, string? defaultNamespace = null, CancellationToken cancellationToken = default)
    {
        foreach (var document in YamlJson.ReadDocuments(yaml))
        {
            var apiVersion = document["apiVersion"]?.GetValue<string>() ?? throw Status.BadRequest("apiVersion not set");
            var kind = document["kind"]?.GetValue<string>() ?? throw Status.BadRequest("kind not set");
            var type = Operations.Registry.FindKind(apiVersion, kind)
                ?? throw new ApiException(404, "NotFound", $"no matches for kind \"{kind}\" in version \"{apiVersion}\"");
            var name = ObjectMeta.Name(document);
            var ns = type.Namespaced ? (ObjectMeta.Namespace(document) is { Length: > 0 } n ? n : defaultNamespace ?? "default") : "";
            Operations.Apply(type, ns, name, document.ToJsonString(), null, new WriteOptions { FieldManager = "test" });
        }

        return Task.CompletedTask;
    }

    public async Task ApplyYamlFileAsync(string path, string? defaultNamespace = null, CancellationToken cancellationToken = default) =>
        await ApplyYamlAsync(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), defaultNamespace, cancellationToken).ConfigureAwait(false);

    public async Task ApplyDirectoryAsync(string directory, string? defaultNamespace = null, CancellationToken cancellationToken = default)
    {
        foreach (var file in Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            await ApplyYamlFileAsync(file, defaultNamespace, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Polls the store (no HTTP, no RBAC) until the object satisfies <paramref name="condition"/>
    /// (null object = absent) or the timeout passes; returns the last object seen.
    /// </summary>
    /// <param name="group">API group ("" for core).</param>
    /// <param name="plural">Resource plural, e.g. "remoteworkloads" or "secrets".</param>
    /// <param name="ns">Namespace ("" for cluster-scoped).</param>
    /// <param name="name">Object name.</param>
    /// <param name="condition">What to wait for.</param>
    /// <param name="timeout">Deadline; a <see cref="TimeoutException"/> names the last state.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task<JsonObject?> WaitForAsync(string group, string plural, string ns, string name, Func<JsonObject?, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var current = Store.Get($"{group}/{plural}", ns, name);
            if (condition(current))
            {
                return current;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{plural}.{group} {ns}/{name} did not reach the expected state in {timeout}; last state: {current?.ToJsonString() ?? "absent"}");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Store.DropWatches();
        try
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _stopping.Dispose();
            _certificates.Dispose();
            if (_ownsWorkDirectory)
            {
                try
                {
                    Directory.Delete(_workDirectory, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
