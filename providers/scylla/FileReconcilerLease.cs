using System.Diagnostics;
using System.Text.Json;
using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Providers.Scylla;

/// <summary>
/// Lease in a JSON file (holder + expiry) on storage every reconciler can see. Read-check-write happens while holding
/// an exclusive OS lock (flock, which .NET takes for <see cref="FileShare.None"/>) on a sibling ".lock" file, so two
/// processes or threads cannot both find the lease free; the OS drops the lock when its holder dies. The record is
/// written to a temporary file, flushed to disk, then renamed over the old one. A record that cannot be read (cut short,
/// corrupted) is treated as expired, and <paramref name="warn"/> is told why.
/// </summary>
public sealed class FileReconcilerLease(string path, TimeProvider clock, Action<string>? warn = null) : IReconcilerLease
{
    /// <summary>How long to wait for another process's brief hold on the OS lock before giving up.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    private readonly Action<string> _warn = warn ?? (message => Console.Error.WriteLine(message));

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

    private LeaseRecord? Read()
    {
        if (!File.Exists(path)) return null;
        try
        {
            var record = JsonSerializer.Deserialize<LeaseRecord>(File.ReadAllText(path));
            if (record is { Holder: { Length: > 0 } }) return record;
            _warn($"membership lease {path}: the record names no holder; treating the lease as expired");
        }
        catch (JsonException e)
        {
            _warn($"membership lease {path}: unreadable record ({e.Message}); treating the lease as expired");
        }
        return null;
    }

    private void Write(LeaseRecord record)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, record);
            stream.Flush(flushToDisk: true); // on disk before the rename makes it the lease
        }
        File.Move(temp, path, overwrite: true);
    }

    private async Task<FileStream> LockAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var waited = Stopwatch.StartNew(); // real time: the OS lock is held by real processes
        while (true)
        {
            try
            {
                return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < LockWait)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), ct); // held by another process or thread for a few ms at most
            }
        }
    }
}
