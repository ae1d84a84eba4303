namespace ScyllaApocryph.Providers.Tls;

/// <summary>A PEM certificate and its PKCS#8 PEM private key.</summary>
public sealed record TlsKeyPair(string CertificatePem, string PrivateKeyPem)
{
    public override string ToString() => $"TlsKeyPair {{ CertificatePem = {CertificatePem.Length} chars, PrivateKeyPem = [secret] }}";
}
