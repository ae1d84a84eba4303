using Nethereum.Signer;
using Nethereum.Util;

namespace ScyllaApocryph.Providers.Wallet;

/// <summary>
/// 65-byte Ethereum signatures (r || s || v) over a 32-byte hash, on Nethereum. What this adds to Nethereum is the
/// policy: a high s (a malleated copy) is refused, and v may be 27/28 (personal_sign) or 0/1 (a raw recovery id, as
/// go-ethereum's crypto.Sign and Apocryph's bearer tokens use).
/// </summary>
public static class EthereumSignature
{
    /// <summary>keccak256("\x19Ethereum Signed Message:\n" + length + message), as wallets and ethers.hashMessage do.</summary>
    public static byte[] PersonalMessageHash(byte[] message) => new EthereumMessageSigner().HashPrefixedMessage(message);

    /// <summary>Keccak-256 (Ethereum's, not SHA3-256).</summary>
    public static byte[] Keccak256(byte[] data) => Sha3Keccack.Current.CalculateHash(data);

    /// <summary>The EIP-55 address that signed <paramref name="hash"/>, or null if the signature is malformed,
    /// has a high s or recovers no key.</summary>
    public static string? RecoverAddress(byte[] hash, byte[] signature)
    {
        if (signature.Length != 65 || hash.Length != 32) return null;
        int v = signature[64];
        if (v is not (0 or 1 or 27 or 28)) return null;
        var parsed = EthECDSASignatureFactory.FromComponents(signature[..32], signature[32..64], (byte)(v >= 27 ? v : v + 27));
        if (!parsed.IsLowS) return null;
        try
        {
            return EthECKey.RecoverFromSignature(parsed, hash)?.GetPublicAddress();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    public static byte[]? FromHex(string? hex)
    {
        if (hex is null) return null;
        var text = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        try
        {
            return text.Length == 130 ? Convert.FromHexString(text) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static string ToHex(byte[] signature) => "0x" + Convert.ToHexStringLower(signature);
}
