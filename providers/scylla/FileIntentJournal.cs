using System.Text.Json;
using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Providers.Scylla;

/// <summary>Intent journal in one JSON file, replaced atomically (write temp, flush, rename) so a crash never leaves half a record.</summary>
public sealed class FileIntentJournal(string path) : IIntentJournal
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<TopologyIntent?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) return null;
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<TopologyIntent>(stream, Json, cancellationToken)
            ?? throw new InvalidDataException($"{path}: empty intent record");
    }

    public async Task SaveAsync(TopologyIntent intent, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            await JsonSerializer.SerializeAsync(stream, intent, Json, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    public Task ClearAsync(CancellationToken cancellationToken)
    {
        File.Delete(path);
        return Task.CompletedTask;
    }
}
