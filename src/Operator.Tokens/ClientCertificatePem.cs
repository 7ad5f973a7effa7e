namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// The client certificate of an RFC 8705 mutual-TLS method as its Secret holds it: the PEM certificate chain (the
/// client's certificate first) and the PEM private key. <see cref="ToString"/> never prints the key.
/// </summary>
public sealed record ClientCertificatePem(string CertificateChain, string PrivateKey)
{
    /// <inheritdoc />
    public override string ToString() => "ClientCertificatePem { CertificateChain = (PEM), PrivateKey = *** }";
}
