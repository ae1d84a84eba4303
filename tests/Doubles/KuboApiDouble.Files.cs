using System.Security.Cryptography;
using System.Text.Json;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// The files part of the Kubo double: content on "the IPFS network" and POST /api/v0/cat?arg=&lt;cid&gt;, which
/// answers its bytes (Kubo core/commands/cat.go). <see cref="AddFile"/> stands for another node (a provider's own
/// Kubo, as cmd/tpodserver/registry.go uploads its profile with Unixfs().Add) having added the file: it returns the
/// CID Kubo's defaults give a file of one chunk (up to 256 KiB): CIDv0, a dag-pb node whose Data is a UnixFS File
/// holding the bytes and the file size, hashed with sha256. Differences on purpose: an unknown CID is refused at
/// once with the message an offline node gives, where an online node would search the network until the caller
/// gives up; paths (/ipfs/cid/sub) and offset/length options are not served.
/// </summary>
public sealed partial class KuboApiDouble
{
    private readonly Dictionary<string, byte[]> _files = [];

    /// <summary>How many cat requests were answered with a file.</summary>
    public int FilesServed => _filesServed;
    private int _filesServed;

    /// <summary>Makes <paramref name="content"/> available and returns its CID.</summary>
    public string AddFile(byte[] content)
    {
        if (content.Length > 256 * 1024) throw new ArgumentException("this double only stores files of one chunk (256 KiB)", nameof(content));
        var cid = CidV0(content);
        lock (_files) _files[cid] = content;
        return cid;
    }

    /// <summary>Forgets a file, as when no node on the network holds it any more.</summary>
    public void RemoveFile(string cid)
    {
        lock (_files) _files.Remove(cid);
    }

    private async Task<bool> RespondCatAsync(System.Net.HttpListenerContext c)
    {
        if (c.Request.HttpMethod != "POST") return false; // answered as every other command: 405
        var arg = c.Request.QueryString["arg"];
        var cid = arg?.StartsWith("/ipfs/", StringComparison.Ordinal) == true ? arg[6..] : arg;
        byte[]? content = null;
        string? error = null;
        if (string.IsNullOrEmpty(cid)) error = "argument \"ipfs-path\" is required";
        else if (!(cid.StartsWith("Qm", StringComparison.Ordinal) && cid.Length == 46 && cid.All(c => Base58.Contains(c))))
            error = $"invalid path \"{arg}\": invalid cid: selected encoding not supported";
        else
        {
            lock (_files) content = _files.GetValueOrDefault(cid);
            if (content is null) error = $"block was not found locally (offline): ipld: could not find {cid}";
        }
        if (error is not null)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(new { Message = error, Code = 0, Type = "error" });
            c.Response.StatusCode = 500;
            c.Response.ContentType = "application/json";
            c.Response.ContentLength64 = bytes.Length;
            await c.Response.OutputStream.WriteAsync(bytes);
            c.Response.Close();
            return true;
        }
        Interlocked.Increment(ref _filesServed);
        c.Response.StatusCode = 200;
        c.Response.ContentType = "text/plain";
        c.Response.ContentLength64 = content!.Length;
        await c.Response.OutputStream.WriteAsync(content);
        c.Response.Close();
        return true;
    }

    private const string Base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /// <summary>The CIDv0 of a one-chunk file (e.g. "hello world\n" is QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o).</summary>
    public static string CidV0(byte[] content)
    {
        var unixfs = new MemoryStream();
        unixfs.Write([0x08, 0x02]); // Type = File
        if (content.Length > 0)
        {
            unixfs.WriteByte(0x12); // Data
            Varint(unixfs, (ulong)content.Length);
            unixfs.Write(content);
        }
        unixfs.WriteByte(0x18); // filesize
        Varint(unixfs, (ulong)content.Length);
        var node = new MemoryStream();
        node.WriteByte(0x0a); // PBNode.Data
        Varint(node, (ulong)unixfs.Length);
        unixfs.WriteTo(node);
        byte[] multihash = [0x12, 0x20, .. SHA256.HashData(node.ToArray())];
        var n = new System.Numerics.BigInteger(multihash, isUnsigned: true, isBigEndian: true);
        var text = new System.Text.StringBuilder();
        while (n > 0)
        {
            text.Insert(0, Base58[(int)(n % 58)]);
            n /= 58;
        }
        return text.ToString(); // a sha256 multihash starts with 0x12, so there are no leading zero bytes to write as '1'
    }

    private static void Varint(Stream s, ulong value)
    {
        while (value >= 0x80)
        {
            s.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        s.WriteByte((byte)value);
    }
}
