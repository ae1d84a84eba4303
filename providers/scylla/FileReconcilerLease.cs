using System.Text.Json;
using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Providers.Scylla;

/// <summary>
/// Lease in a JSON file (holder + expiry) on storage every reconciler can see. Read-check-write happens while holding
/// an exclusive OS lock on a sibling ".lock" file, so two processes cannot both find the lease free.
/// </summary>
public sealed class FileReconcilerLease(string path, TimeProvider clock) : IReconcilerLease
{
    private sealed record LeaseRecord(string Holder, DateTimeOffset Expires);

    public async Task<bool> TryAcquireAsync(string holder, TimeSpan ttl, CancellationToken cancellationToken)
    {
        using var guard = await LockAsync(cancellationToken);
        var current = Read();
        var now = clock.GetUtcNow();
        if (current is not null && current.Holder != holder && current.Expires > now) return false;
        Write(new LeaseRecord(holder, now + ttl));
        return true;
    }

    public async Task ReleaseAsync(string holder, CancellationToken cancellationToken)
    {
        using var guard = await LockAsync(cancellationToken);
        if (Read()?.Holder == holder) File.Delete(path);
    }

    public async Task<string?> HolderAsync(CancellationToken cancellationToken)
    {
        using var guard = await LockAsync(cancellationToken);
        return Read() is { } r && r.Expires > clock.GetUtcNow() ? r.Holder : null;
    }

    private LeaseRecord? Read() => File.Exists(path) ? JsonSerializer.Deserialize<LeaseRecord>(File.ReadAllText(path)) : null;

    private void Write(LeaseRecord record)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(record));
        File.Move(temp, path, overwrite: true);
    }

    private async Task<FileStream> LockAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 200)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), ct); // held by another process for a few ms at most
            }
        }
    }
}
