namespace ScyllaApocryph.Agent;

/// <summary>
/// An exclusive lock on the data volume, held for the agent's whole life. .NET takes flock(LOCK_EX) for
/// <see cref="FileShare.None"/> on Unix; the kernel drops it when the process dies, however it dies. During an
/// Apocryph rolling update (a Deployment) a second pod mounts the same volume while the first still runs: its agent
/// waits here, so two ScyllaDB processes never share one data directory.
/// </summary>
public sealed class VolumeLock : IDisposable
{
    public const string FileName = ".scylla-apocryph-agent.lock";

    private readonly FileStream _stream;

    private VolumeLock(FileStream stream) => _stream = stream;

    /// <summary>Waits until the lock is free (checking every <paramref name="retry"/>); says once who holds it.</summary>
    public static async Task<VolumeLock> AcquireAsync(string dataDirectory, string holder, TimeSpan retry, Action<string> log,
        CancellationToken ct)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        var said = false;
        while (true)
        {
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                // Who holds it, for the next waiter's message, in a file of its own: .NET opens a shared file with a
                // shared flock, which the exclusive lock refuses (the lock itself is the flock, not this text).
                File.WriteAllText(path + ".holder", holder + "\n");
                return new VolumeLock(stream);
            }
            catch (IOException)
            {
                if (!said)
                {
                    log($"the data volume {dataDirectory} is locked by another agent ({Holder(path)}): waiting for it to stop");
                    said = true;
                }
                await Task.Delay(retry, ct);
            }
        }
    }

    private static string Holder(string path)
    {
        try
        {
            return File.ReadAllText(path + ".holder").Trim() is { Length: > 0 } h ? h : "holder unknown";
        }
        catch (IOException)
        {
            return "holder unknown";
        }
    }

    public void Dispose() => _stream.Dispose();
}
