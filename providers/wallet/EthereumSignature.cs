using System.Text;
using Org.BouncyCastle.Math;

namespace ScyllaApocryph.Providers.Wallet;

/// <summary>65-byte Ethereum signatures (r || s || v) and the personal_sign hash.</summary>
public static class EthereumSignature
{
    /// <summary>keccak256("\x19Ethereum Signed Message:\n" + length + message), as wallets and ethers.hashMessage do.</summary>
    public static byte[] PersonalMessageHash(byte[] message)
    {
        var prefix = Encoding.ASCII.GetBytes("\u0019Ethereum Signed Message:\n" + message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Keccak.Hash256([.. prefix, .. message]);
    }

    internal static byte[] Encode(BigInteger r, BigInteger s, int v)
    {
        var output = new byte[65];
        var rb = r.ToByteArrayUnsigned();
        var sb = s.ToByteArrayUnsigned();
        rb.CopyTo(output, 32 - rb.Length);
        sb.CopyTo(output, 64 - sb.Length);
        output[64] = (byte)v;
        return output;
    }

    /// <summary>
    /// The address that signed <paramref name="hash"/>, or null if the signature is malformed, has a high s
    /// (a malleated copy) or recovers no key. v may be 27/28 (personal_sign) or 0/1 (raw recovery id).
    /// </summary>
    public static string? RecoverAddress(byte[] hash, byte[] signature)
    {
        if (signature.Length != 65 || hash.Length != 32) return null;
        var r = new BigInteger(1, signature, 0, 32);
        var s = new BigInteger(1, signature, 32, 32);
        int v = signature[64];
        var recoveryId = v >= 27 ? v - 27 : v;
        if (s.CompareTo(Secp256k1.HalfN) > 0) return null;
        var q = Secp256k1.Recover(hash, r, s, recoveryId);
        return q is null ? null : EthereumAddress.FromPublicKey(q);
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
