using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ScyllaApocryph.Providers.Tls;

/// <summary>Makes CAs and leaf certificates with System.Security.Cryptography (no hand-rolled crypto).</summary>
public static class TlsIssuer
{
    // Leaves start a little in the past so a peer whose clock runs behind still accepts them.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public static TlsKeyPair CreateCa(string commonName, TimeSpan validity, DateTimeOffset now, TlsKeyAlgorithm algorithm = TlsKeyAlgorithm.EcdsaP256)
    {
        using var key = NewKey(algorithm);
        var request = Request(new X500DistinguishedName($"CN={Escape(commonName)}"), key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
        request.CertificateExtensions.Add(ski);
        using var cert = request.CreateSelfSigned(now - ClockSkew, now + validity);
        return new TlsKeyPair(cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public static TlsKeyPair Issue(TlsKeyPair ca, TlsCertificateRequest leaf, DateTimeOffset now)
    {
        using var caCert = X509Certificate2.CreateFromPem(ca.CertificatePem, ca.PrivateKeyPem);
        using var key = NewKey(leaf.Algorithm);
        var request = Request(new X500DistinguishedName($"CN={Escape(leaf.CommonName)}"), key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var usage = X509KeyUsageFlags.DigitalSignature | (leaf.Algorithm == TlsKeyAlgorithm.Rsa3072 ? X509KeyUsageFlags.KeyEncipherment : 0);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        var ekus = leaf.Usage == TlsCertificateUsage.Node ? new OidCollection { ServerAuth, ClientAuth } : new OidCollection { ClientAuth };
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(ekus, false));
        if (leaf.DnsNames.Count + leaf.IpAddresses.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dns in leaf.DnsNames) san.AddDnsName(dns);
            foreach (var ip in leaf.IpAddresses) san.AddIpAddress(IPAddress.Parse(ip));
            request.CertificateExtensions.Add(san.Build());
        }
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caCert, true, false));

        var notAfter = now + leaf.Validity;
        if (notAfter > caCert.NotAfter) notAfter = caCert.NotAfter; // a leaf cannot outlive its CA
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive, as RFC 5280 asks
        using var cert = request.Create(caCert, now - ClockSkew, notAfter, serial);
        return new TlsKeyPair(cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>SHA-256 over the DER certificate, lowercase hex (what `openssl x509 -fingerprint -sha256` shows).</summary>
    public static string Fingerprint(string certificatePem)
    {
        using var cert = X509Certificate2.CreateFromPem(certificatePem);
        return Convert.ToHexStringLower(cert.GetCertHash(HashAlgorithmName.SHA256));
    }

    /// <summary>The DER SubjectPublicKeyInfo: what a wallet signs as proof of membership.</summary>
    public static byte[] SubjectPublicKeyInfo(string certificatePem)
    {
        using var cert = X509Certificate2.CreateFromPem(certificatePem);
        return cert.PublicKey.ExportSubjectPublicKeyInfo();
    }

    private static AsymmetricAlgorithm NewKey(TlsKeyAlgorithm algorithm) => algorithm switch
    {
        TlsKeyAlgorithm.EcdsaP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        TlsKeyAlgorithm.Rsa3072 => RSA.Create(3072),
        _ => ECDsa.Create(ECCurve.NamedCurves.nistP256),
    };

    private static CertificateRequest Request(X500DistinguishedName subject, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => new CertificateRequest(subject, ec, ec.KeySize > 256 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256),
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        _ => throw new ArgumentException("unsupported key type"),
    };

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace(",", "\\,").Replace("+", "\\+").Replace("=", "\\=").Replace("\"", "\\\"");
}
