namespace ScyllaApocryph.Providers.Tls;

public enum TlsKeyAlgorithm
{
    /// <summary>The default: small keys, fast handshakes, accepted by Scylla (GnuTLS) and every client driver.</summary>
    EcdsaP256,
    EcdsaP384,
    Rsa3072,
}

public static class TlsKeyAlgorithms
{
    public static bool TryParse(string? text, out TlsKeyAlgorithm algorithm)
    {
        algorithm = TlsKeyAlgorithm.EcdsaP256;
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "ecdsa-p256": return true;
            case "ecdsa-p384": algorithm = TlsKeyAlgorithm.EcdsaP384; return true;
            case "rsa-3072": algorithm = TlsKeyAlgorithm.Rsa3072; return true;
            default: return false;
        }
    }

    public static string ToConfigString(TlsKeyAlgorithm algorithm) => algorithm switch
    {
        TlsKeyAlgorithm.EcdsaP384 => "ecdsa-p384",
        TlsKeyAlgorithm.Rsa3072 => "rsa-3072",
        _ => "ecdsa-p256",
    };
}
