using Google.Protobuf;
using ScyllaApocryph.Components.Apocryph.Proto;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// Turns a manifest's secret volumes from `contents` into `cid` + `key`, as upstream's tpodctl does before it
/// provisions (comrade-coop/apocryph 4bbf371 pkg/publisher/upload.go UploadSecrets, LinkUploadsFromDeployment):
/// each file is sealed with a key of its own, added to IPFS and pinned, and the volume's configuration becomes only
/// the CID's bytes and the key. The keys live only in the manifest sent to the provider; nothing here keeps them.
/// </summary>
public static class SecretUpload
{
    /// <summary>Rewrites <paramref name="pod"/>'s secret volumes in place; returns the CIDs it pinned.</summary>
    public static async Task<IReadOnlyList<string>> UploadAsync(Pod pod, KuboFiles kubo, CancellationToken ct)
    {
        var cids = new List<string>();
        // Every secret not yet on IPFS, an empty file too (upstream encrypts and uploads whatever ReadSecret gave).
        foreach (var volume in pod.Volumes.Where(v => v.Type == Volume.Types.Type.VolumeSecret && v.Secret is { Cid.IsEmpty: true }))
        {
            var key = SecretSealing.NewKey();
            // ReadSecret: contents, else contentsString's text.
            var data = volume.Secret.Contents.IsEmpty ? System.Text.Encoding.UTF8.GetBytes(volume.Secret.ContentsString) : volume.Secret.Contents.ToByteArray();
            var cid = await kubo.AddAsync(SecretSealing.Seal(key, data), ct);
            cids.Add(cid);
            volume.Secret = new Volume.Types.SecretConfig { Cid = ByteString.CopyFrom(CidText.ToBytes(cid)), Key = new Key { Data = ByteString.CopyFrom(key) } };
        }
        return cids;
    }
}
