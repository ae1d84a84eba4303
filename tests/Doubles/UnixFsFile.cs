using System.Security.Cryptography;
using ScyllaApocryph.Providers.Apocryph;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// The CIDv0 Kubo's <c>add</c> gives a file of one chunk (default chunker size-262144, no raw leaves): the sha2-256
/// multihash of a dag-pb node (ipfs/go-codec-dagpb: PBNode.Data = field 1) whose Data is a UnixFS message
/// (ipfs/boxo ipld/unixfs/pb/unixfs.proto: Type = 1 with File = 2, Data = 2, filesize = 3); an empty file has no
/// Data field. Known answers: "hello world\n" is QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o, "" is
/// QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH. Bigger files are several chunks under a root, not modelled here.
/// </summary>
public static class UnixFsFile
{
    public const int ChunkSize = 262144;

    /// <summary>The encoded dag-pb node (its length is the Size Kubo reports).</summary>
    public static byte[] Node(byte[] data)
    {
        if (data.Length > ChunkSize) throw new NotSupportedException($"files over {ChunkSize} bytes span several blocks, which this double does not model");
        var unixfs = new List<byte> { 0x08, 0x02 };
        if (data.Length > 0)
        {
            unixfs.Add(0x12);
            unixfs.AddRange(Varint((ulong)data.Length));
            unixfs.AddRange(data);
        }
        unixfs.Add(0x18);
        unixfs.AddRange(Varint((ulong)data.Length));
        return [0x0a, .. Varint((ulong)unixfs.Count), .. unixfs];
    }

    public static string Cid(byte[] data) => CidText.ToText([0x12, 0x20, .. SHA256.HashData(Node(data))]);

    private static IEnumerable<byte> Varint(ulong value)
    {
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            yield return value == 0 ? b : (byte)(b | 0x80);
        }
        while (value != 0);
    }
}
