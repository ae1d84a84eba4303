using System.Numerics;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// A CID between its text form (what Kubo's HTTP API answers and takes) and its binary form (what a pod manifest's
/// `cid` bytes hold: upstream's publisher sends <c>RootCid().Bytes()</c> and its provider <c>cid.Cast</c>s them,
/// comrade-coop/apocryph 4bbf371 pkg/ipfs/secrets.go). CIDv0 is base58btc of the sha2-256 multihash ("Qm…");
/// CIDv1 text is multibase, here the base32 form Kubo prints ("b…").
/// </summary>
public static class CidText
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static byte[] ToBytes(string cid)
    {
        if (cid.Length == 46 && cid.StartsWith("Qm", StringComparison.Ordinal)) return Base58Decode(cid);
        if (cid.StartsWith('b')) return Base32Decode(cid[1..]);
        throw new FormatException($"'{cid}' is not a CIDv0 (Qm…) nor a base32 CIDv1 (b…)");
    }

    public static string ToText(byte[] cid) =>
        cid.Length == 34 && cid[0] == 0x12 && cid[1] == 0x20 ? Base58Encode(cid) : "b" + Base32Encode(cid);

    public static string Base58Encode(byte[] data)
    {
        var value = new BigInteger(data, isUnsigned: true, isBigEndian: true);
        var text = new System.Text.StringBuilder();
        while (value > 0)
        {
            text.Insert(0, Base58Alphabet[(int)(value % 58)]);
            value /= 58;
        }
        foreach (var b in data)
        {
            if (b != 0) break;
            text.Insert(0, '1');
        }
        return text.ToString();
    }

    private static byte[] Base58Decode(string text)
    {
        BigInteger value = 0;
        foreach (var c in text)
        {
            var digit = Base58Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0) throw new FormatException($"'{c}' is not a base58 digit");
            value = value * 58 + digit;
        }
        var zeros = text.TakeWhile(c => c == '1').Count();
        return [.. new byte[zeros], .. value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true)];
    }

    private static string Base32Encode(byte[] data)
    {
        var text = new System.Text.StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Base32Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) text.Append(Base32Alphabet[(buffer << (5 - bits)) & 31]);
        return text.ToString();
    }

    private static byte[] Base32Decode(string text)
    {
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text)
        {
            var digit = Base32Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0) throw new FormatException($"'{c}' is not a base32 digit");
            buffer = (buffer << 5) | digit;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. bytes];
    }
}
