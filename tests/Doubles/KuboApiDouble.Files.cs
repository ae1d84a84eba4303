namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// The files part of the Kubo double: content on "the IPFS network", which POST /api/v0/cat?arg=&lt;cid&gt; answers
/// (Kubo core/commands/cat.go; the HTTP side is in KuboApiDouble.cs). <see cref="AddFile"/> stands for another node (a provider's own
/// Kubo, as cmd/tpodserver/registry.go uploads its profile with Unixfs().Add) having added the file: it returns the
/// CID Kubo's defaults give it (<see cref="UnixFsFile"/>). Differences on purpose: an unknown CID is refused at
/// once with the message an offline node gives, where an online node would search the network until the caller
/// gives up; paths (/ipfs/cid/sub) and offset/length options are not served.
/// </summary>
public sealed partial class KuboApiDouble
{
    /// <summary>How many cat requests were answered with a file.</summary>
    public int FilesServed
    {
        get
        {
            lock (_files) return _filesServed;
        }
    }
    private int _filesServed;

    /// <summary>Makes <paramref name="content"/> available and returns its CID.</summary>
    public string AddFile(byte[] content)
    {
        if (content.Length > 256 * 1024) throw new ArgumentException("this double only stores files of one chunk (256 KiB)", nameof(content));
        var cid = UnixFsFile.Cid(content);
        lock (_files) _files[cid] = content;
        return cid;
    }

    /// <summary>Forgets a file, as when no node on the network holds it any more.</summary>
    public void RemoveFile(string cid)
    {
        lock (_files) _files.Remove(cid);
    }

    /// <summary>A CIDv0 as Kubo parses one: "Qm" and 44 more base58 characters (a sha256 multihash).</summary>
    private static bool IsCidV0(string cid)
    {
        try
        {
            return cid.StartsWith("Qm", StringComparison.Ordinal) && cid.Length == 46 && Providers.Apocryph.CidText.ToBytes(cid).Length == 34;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
