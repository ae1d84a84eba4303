namespace ScyllaApocryph.Providers.Tls;

/// <param name="DnsNames">Every DNS name a peer or client may dial (service names, pod DNS, public names).</param>
/// <param name="IpAddresses">Every IP a peer or client may dial (overlay, pod, provider public address).</param>
public sealed record TlsCertificateRequest(
    string CommonName,
    TlsCertificateUsage Usage,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<string> IpAddresses,
    TimeSpan Validity,
    TlsKeyAlgorithm Algorithm = TlsKeyAlgorithm.EcdsaP256);
