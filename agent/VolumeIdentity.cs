using System.Text.Json;

namespace ScyllaApocryph.Agent;

/// <summary>
/// The identity file on the data volume: which cluster and slot the volume belongs to, and the host ID its node had
/// once it became a member. A host ID here means the volume holds a bootstrapped node: it restarts on its data.
/// </summary>
public sealed record VolumeIdentity(string Cluster, string Slot, string? HostId = null)
{
    public const string FileName = "scylla-apocryph-identity.json";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    public static VolumeIdentity? Read(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<VolumeIdentity>(File.ReadAllText(path), AgentConfig.Json)
                ?? throw new VolumeIdentityException($"{path}: empty identity file");
        }
        catch (JsonException e)
        {
            throw new VolumeIdentityException($"{path}: unreadable identity file ({e.Message}); refusing to guess whose volume this is");
        }
    }

    /// <summary>Writes atomically (temp, flush, rename).</summary>
    public void Write(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        var temp = path + ".tmp";
        using (var s = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(s, this, AgentConfig.Json);
            s.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Refuses a volume of another cluster or slot: starting on it would give a node someone else's identity.</summary>
    public void CheckBelongsTo(string cluster, string slot, string dataDirectory)
    {
        if (Cluster != cluster || Slot != slot)
            throw new VolumeIdentityException(
                $"the data volume {dataDirectory} belongs to cluster '{Cluster}' slot '{Slot}', not to cluster '{cluster}' slot '{slot}': " +
                $"refusing to start ScyllaDB on it. Mount the right volume, or, if this volume is meant to be reused, wipe it first.");
    }
}

public sealed class VolumeIdentityException(string message) : Exception(message);
