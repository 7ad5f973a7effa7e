using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RemoteWorkloadOperator.Testing.AuthServer;

/// <summary>
/// RFC 8705 clients of the test server: a <c>self_signed_tls_client_auth</c> client is registered with the certificates
/// it may present (its key set, compared by SHA-256 thumbprint); a <c>tls_client_auth</c> client with the subject DN of
/// a certificate the test CA (<see cref="Authority"/>) issued. The degraded mode has no application store holding
/// either, so the token request's TLS client certificate is checked here.
/// </summary>
internal sealed class MutualTlsClientRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, string[]> _selfSigned = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _subjects = new(StringComparer.Ordinal);
    private int _accepted;

    /// <summary>The CA that issues (and alone is trusted for) <c>tls_client_auth</c> certificates.</summary>
    public X509Certificate2 Authority { get; } = CreateAuthority();

    /// <summary>The CA's certificate without its key, for trust stores.</summary>
    public X509Certificate2 AuthorityCertificate => X509CertificateLoader.LoadCertificate(Authority.RawData);

    /// <summary>Certificate-authenticated token requests accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    public void RegisterSelfSigned(string clientId, IEnumerable<X509Certificate2> certificates) =>
        _selfSigned[clientId] = [.. certificates.Select(c => Convert.ToHexString(c.GetCertHash(HashAlgorithmName.SHA256)))];

    public void RegisterSubject(string clientId, string subjectDistinguishedName) => _subjects[clientId] = subjectDistinguishedName;

    public bool IsRegistered(string? clientId) => clientId is not null && (_selfSigned.ContainsKey(clientId) || _subjects.ContainsKey(clientId));

    /// <summary>Null when <paramref name="presented"/> authenticates <paramref name="clientId"/>, else why not.</summary>
    public string? Validate(string clientId, X509Certificate2? presented, DateTimeOffset now)
    {
        if (presented is null)
        {
            return "this client authenticates with a TLS client certificate, and none was presented";
        }

        if (now < presented.NotBefore || now > presented.NotAfter)
        {
            return "the client certificate is not within its validity period";
        }

        string? why;
        if (_selfSigned.TryGetValue(clientId, out var thumbprints))
        {
            why = thumbprints.Contains(Convert.ToHexString(presented.GetCertHash(HashAlgorithmName.SHA256)), StringComparer.Ordinal)
                ? null
                : "the client certificate is not registered for this client";
        }
        else if (_subjects.TryGetValue(clientId, out var subject))
        {
            why = !IssuedByAuthority(presented) ? "the client certificate was not issued by a trusted CA"
                : presented.SubjectName.Name != subject ? "the client certificate's subject is not the one registered for this client"
                : null;
        }
        else
        {
            why = "this client does not authenticate with a TLS client certificate";
        }

        if (why is null)
        {
            Interlocked.Increment(ref _accepted);
        }

        return why;
    }

    /// <summary>A certificate for <paramref name="subject"/> issued by <see cref="Authority"/>, with its key.</summary>
    public X509Certificate2 Issue(string subject, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = ClientRequest(subject, key);
        using var issued = request.Create(Authority, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>A self-signed client certificate with its key.</summary>
    public static X509Certificate2 SelfSigned(string subject, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = ClientRequest(subject, key).CreateSelfSigned(notBefore, notAfter);
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }

    public void Dispose() => Authority.Dispose();

    private bool IssuedByAuthority(X509Certificate2 presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }

    private static CertificateRequest ClientRequest(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        // TLS client authentication only: the certificate cannot serve as a server's.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        return request;
    }

    private static X509Certificate2 CreateAuthority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=remoteworkload-test-client-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var authority = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(authority.Export(X509ContentType.Pkcs12), password: null);
    }
}
