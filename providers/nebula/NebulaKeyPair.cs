namespace ScyllaApocryph.Providers.Nebula;

/// <summary>A PEM certificate and its PEM private key, as nebula-cert wrote them.</summary>
public sealed record NebulaKeyPair(string CertificatePem, string PrivateKeyPem)
{
    // Keeps the key out of logs and exception messages that format this record.
    public override string ToString() => $"NebulaKeyPair {{ CertificatePem = {CertificatePem.Length} chars, PrivateKeyPem = [secret] }}";
}
