using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Security;

/// <summary>
/// A throwaway CA and a serving certificate for 127.0.0.1/localhost, created at start. kubectl
/// (client-go) sends bearer tokens only over TLS, so the emulator serves HTTPS and writes the CA
/// into its kubeconfigs.
/// </summary>
public sealed class ServingCertificates : IDisposable
{
    private ServingCertificates(X509Certificate2 ca, X509Certificate2 server)
    {
        CertificateAuthority = ca;
        Server = server;
    }

    /// <summary>The CA (public part only) clients must trust.</summary>
    public X509Certificate2 CertificateAuthority { get; }

    /// <summary>The serving certificate with its private key.</summary>
    public X509Certificate2 Server { get; }

    public string CertificateAuthorityPem => CertificateAuthority.ExportCertificatePem();

    public static ServingCertificates Create()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=local-control-plane-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var caWithKey = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=local-control-plane", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caWithKey, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = serverRequest.Create(caWithKey, now.AddMinutes(-5), now.AddDays(29), serial);
        using var withKey = signed.CopyWithPrivateKey(serverKey);
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        var ca = X509CertificateLoader.LoadCertificate(caWithKey.Export(X509ContentType.Cert));
        return new ServingCertificates(ca, server);
    }

    public void Dispose()
    {
        CertificateAuthority.Dispose();
        Server.Dispose();
    }
}
