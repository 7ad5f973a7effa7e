using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Controller;

/// <summary>
/// When the mutual-TLS client certificate stops working and how long before that a person should be told: the facts
/// behind the <c>ClientCertificateExpiring</c> condition. Read from <c>tls.crt</c> alone (no key is touched).
/// </summary>
public sealed record ClientCertificateValidity(DateTimeOffset NotAfter, TimeSpan RenewBefore)
{
    /// <summary>The validity of the first certificate of <paramref name="certificate"/>; null when it is no PEM certificate (the engine reports that).</summary>
    public static ClientCertificateValidity? Of(ClientCertificatePem? certificate, TimeSpan renewBefore)
    {
        if (certificate is null)
        {
            return null;
        }

        try
        {
            using var leaf = X509Certificate2.CreateFromPem(certificate.CertificateChain);
            return new ClientCertificateValidity(new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero), renewBefore);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Whether, at <paramref name="now"/>, the certificate is within <see cref="RenewBefore"/> of its end (or past it).</summary>
    public bool ExpiringAt(DateTimeOffset now) => now >= NotAfter - RenewBefore;
}
