using System.Text;
using Org.BouncyCastle.Math.EC;

namespace ScyllaApocryph.Providers.Wallet;

/// <summary>Ethereum addresses: the last 20 bytes of keccak256 of the uncompressed public key, shown with EIP-55 checksum case.</summary>
public static class EthereumAddress
{
    public static string FromPublicKey(ECPoint point)
    {
        var uncompressed = point.Normalize().GetEncoded(false); // 0x04 || X || Y
        var hash = Keccak.Hash256(uncompressed.AsSpan(1));
        return Checksum(Convert.ToHexStringLower(hash.AsSpan(12)));
    }

    /// <summary>EIP-55: a hex letter is upper case where the matching nibble of keccak256(lowercase hex) is 8 or more.</summary>
    public static string Checksum(string address)
    {
        var hex = Normalize(address) ?? throw new FormatException($"'{address}' is not a 20-byte hex address");
        var hash = Convert.ToHexStringLower(Keccak.Hash256(Encoding.ASCII.GetBytes(hex)));
        var sb = new StringBuilder("0x", 42);
        for (var i = 0; i < hex.Length; i++)
            sb.Append(char.IsLetter(hex[i]) && hash[i] >= '8' ? char.ToUpperInvariant(hex[i]) : hex[i]);
        return sb.ToString();
    }

    /// <summary>Lowercase 40-hex-digit form without 0x, or null if it is not an address.</summary>
    public static string? Normalize(string? address)
    {
        if (address is null) return null;
        var hex = address.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? address[2..] : address;
        return hex.Length == 40 && hex.All(Uri.IsHexDigit) ? hex.ToLowerInvariant() : null;
    }

    public static bool AreEqual(string a, string b) => Normalize(a) is { } x && x == Normalize(b);
}
