using Nethereum.Util;

namespace ScyllaApocryph.Providers.Wallet;

/// <summary>Address text checks for config and verification, on Nethereum's AddressUtil.</summary>
public static class EthereumAddressText
{
    /// <summary>Lowercase 40-hex-digit form without 0x, or null if it is not an address.</summary>
    public static string? Normalize(string? address) =>
        address is not null && AddressUtil.Current.IsValidEthereumAddressHexFormat(address.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? address : "0x" + address)
            ? (address.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? address[2..] : address).ToLowerInvariant()
            : null;

    /// <summary>EIP-55 checksum case.</summary>
    public static string Checksum(string address) =>
        AddressUtil.Current.ConvertToChecksumAddress(Normalize(address) ?? throw new FormatException("not a 20-byte hex address"));

    public static bool AreEqual(string a, string b) => Normalize(a) is { } x && x == Normalize(b);
}
