using Org.BouncyCastle.Crypto.Digests;

namespace ScyllaApocryph.Providers.Wallet;

/// <summary>Ethereum's Keccak-256 (the original Keccak padding, not SHA3-256), from BouncyCastle.</summary>
public static class Keccak
{
    public static byte[] Hash256(ReadOnlySpan<byte> data)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        var output = new byte[32];
        digest.DoFinal(output, 0);
        return output;
    }
}
