using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// The HTTP clients of the RFC 8705 mutual-TLS methods: one <see cref="SocketsHttpHandler"/> per client certificate
/// (keyed by its SHA-256 thumbprint, shared by the workloads presenting it), since a handler's pooled connections are
/// bound to the certificate they were opened with. A workload that moves to another certificate releases its old
/// one, and the last release disposes the handler. Each handler gets <see cref="TokenClientOptions.ConfigureMutualTlsHandler"/>
/// (the operator's connect-time egress guard), then <see cref="IdpHandlerPolicy"/>, <see cref="BoundedResponseHandler"/>
/// and the named client's timeout and User-Agent.
/// </summary>
public sealed class MutualTlsClients : IDisposable
{
    private readonly TokenClientOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Shared> _byThumbprint = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Use> _byWorkload = new(StringComparer.Ordinal);

    private readonly IdpRateLimiter? _rateLimiter;

    /// <summary>Creates the cache; <paramref name="rateLimiter"/> (the named client's) paces its requests too.</summary>
    public MutualTlsClients(TokenClientOptions options, IdpRateLimiter? rateLimiter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _rateLimiter = rateLimiter;
    }

    /// <summary>How many handlers are open (tests check that a replaced certificate's handler is gone).</summary>
    public int OpenHandlers
    {
        get
        {
            lock (_gate)
            {
                return _byThumbprint.Count;
            }
        }
    }

    /// <summary>
    /// The client presenting <paramref name="pem"/> for workload <paramref name="workloadKey"/>, and the base64url
    /// SHA-256 thumbprint of its certificate (RFC 8705 <c>x5t#S256</c>). The PEM is parsed only when it changed.
    /// </summary>
    /// <exception cref="ClientCertificateException">The PEM is no certificate, or the key is unusable or not the certificate's.</exception>
    public (HttpClient Client, string Thumbprint) For(string workloadKey, ClientCertificatePem pem)
    {
        ArgumentNullException.ThrowIfNull(workloadKey);
        ArgumentNullException.ThrowIfNull(pem);
        var material = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(pem.CertificateChain + "\n" + pem.PrivateKey)));
        lock (_gate)
        {
            if (_byWorkload.TryGetValue(workloadKey, out var current) && current.Material == material)
            {
                return (_byThumbprint[current.Thumbprint].Client, current.Thumbprint);
            }
        }

        var (leaf, intermediates) = Parse(pem);
        var thumbprint = Base64Url(SHA256.HashData(leaf.RawData));
        lock (_gate)
        {
            if (!_byThumbprint.TryGetValue(thumbprint, out var shared))
            {
                _byThumbprint[thumbprint] = shared = new Shared(Create(leaf, intermediates));
            }
            else
            {
                leaf.Dispose();
            }

            if (_byWorkload.Remove(workloadKey, out var previous))
            {
                ReleaseLocked(previous.Thumbprint, workloadKey);
            }

            shared.Users.Add(workloadKey);
            _byWorkload[workloadKey] = new Use(material, thumbprint);
            return (shared.Client, thumbprint);
        }
    }

    /// <summary>Releases what <paramref name="workloadKey"/> held (its workload is gone or no longer uses mutual TLS).</summary>
    public void Release(string workloadKey)
    {
        lock (_gate)
        {
            if (_byWorkload.Remove(workloadKey, out var previous))
            {
                ReleaseLocked(previous.Thumbprint, workloadKey);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var shared in _byThumbprint.Values)
            {
                shared.Client.Dispose();
            }

            _byThumbprint.Clear();
            _byWorkload.Clear();
        }
    }

    /// <summary>The base64url SHA-256 thumbprint of the first certificate of a PEM chain (no key needed), or null when there is none.</summary>
    public static string? Thumbprint(string certificateChainPem)
    {
        try
        {
            using var leaf = X509Certificate2.CreateFromPem(certificateChainPem);
            return Base64Url(SHA256.HashData(leaf.RawData));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private void ReleaseLocked(string thumbprint, string workloadKey)
    {
        if (_byThumbprint.TryGetValue(thumbprint, out var shared) && shared.Users.Remove(workloadKey) && shared.Users.Count == 0)
        {
            // No request of that workload is under way: a monitor sends one request at a time, and this is its next.
            _byThumbprint.Remove(thumbprint);
            shared.Client.Dispose();
        }
    }

    private HttpClient Create(X509Certificate2 leaf, X509Certificate2Collection intermediates)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // The context sends the intermediates of tls.crt too, so an IdP that knows only the root can build the chain.
                ClientCertificateContext = SslStreamCertificateContext.Create(leaf, intermediates, offline: true),
            },
        };
        _options.ConfigureMutualTlsHandler?.Invoke(handler);
        IdpHandlerPolicy.Apply(handler, _options.ProxyFromEnvironment);
        HttpMessageHandler pipeline = new BoundedResponseHandler(handler);
        if (_rateLimiter is not null)
        {
            pipeline = new IdpRateLimitHandler(_rateLimiter, pipeline);
        }

        if (_options.ProxyFromEnvironment && _options.ProxiedTargetGuard is { } guard)
        {
            var targetGuard = guard();
            targetGuard.InnerHandler = pipeline;
            pipeline = targetGuard;
        }

        var client = new HttpClient(pipeline, disposeHandler: true)
        {
            // As the named client: the per-request timeout is the engine's, this is only a backstop.
            Timeout = _options.RequestTimeout + TimeSpan.FromSeconds(5),
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(TokenClientOptions.UserAgent);
        return client;
    }

    private static (X509Certificate2 Leaf, X509Certificate2Collection Intermediates) Parse(ClientCertificatePem pem)
    {
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(pem.CertificateChain);
        }
        catch (CryptographicException e)
        {
            throw new ClientCertificateException("tls.crt is not a PEM certificate", e);
        }

        if (chain.Count == 0)
        {
            throw new ClientCertificateException("tls.crt holds no PEM certificate");
        }

        X509Certificate2 withKey;
        try
        {
            using var ephemeral = X509Certificate2.CreateFromPem(pem.CertificateChain, pem.PrivateKey);
            // SslStream needs a key it can use on every platform: a PKCS#12 round trip gives it one (an ephemeral key fails on Windows).
            withKey = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
        }
        catch (CryptographicException e)
        {
            // The runtime's message names the problem (no key, wrong format, a key of another certificate), never the key.
            throw new ClientCertificateException("tls.key is not a PEM private key of the certificate in tls.crt", e);
        }
        catch (ArgumentException e)
        {
            throw new ClientCertificateException("tls.key is not a PEM private key of the certificate in tls.crt", e);
        }

        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        chain[0].Dispose();
        return (withKey, intermediates);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record Use(string Material, string Thumbprint);

    private sealed class Shared(HttpClient client)
    {
        public HttpClient Client { get; } = client;

        public HashSet<string> Users { get; } = new(StringComparer.Ordinal);
    }
}
