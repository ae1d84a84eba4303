using System.Diagnostics;
using System.Text.Json;

namespace ScyllaApocryph.Engine.State;

/// <summary>
/// Stops two runs on one stack: a lock file created atomically (O_EXCL), holding who took it.
/// A lock whose holder process is gone from this host is stale and is taken over with a notice.
/// </summary>
public sealed class StackLock : IDisposable
{
    public const string FileName = "lock";
    private readonly string _path;

    private StackLock(string path) => _path = path;

    public static StackLock Acquire(string stackDirectory, string command, Action<string>? notice = null)
    {
        Directory.CreateDirectory(stackDirectory);
        var path = Path.Combine(stackDirectory, FileName);
        var holder = new LockHolder(Environment.ProcessId, Environment.MachineName, Environment.UserName, command, DateTimeOffset.UtcNow);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                JsonSerializer.Serialize(file, holder, LockJson.Default.LockHolder);
                return new StackLock(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                var existing = ReadHolder(path);
                if (existing is not null && existing.Host == Environment.MachineName && !IsAlive(existing.Pid))
                {
                    notice?.Invoke($"removing a stale lock left by process {existing.Pid} ('{existing.Command}', started {existing.Started:u}), which is no longer running");
                    File.Delete(path);
                    continue;
                }
                throw new StackLockedException(existing is null
                    ? $"the stack is locked by another run (lock file {path} could not be read). If no run is active, delete that file."
                    : $"the stack is locked by process {existing.Pid} of user {existing.User} on host {existing.Host}, running '{existing.Command}' " +
                      $"since {existing.Started:u}. Wait for it to finish; if that run is gone, delete {path}.");
            }
        }
        throw new StackLockedException($"could not take the stack lock {path}");
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }
    }

    private static LockHolder? ReadHolder(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), LockJson.Default.LockHolder);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    internal sealed record LockHolder(int Pid, string Host, string User, string Command, DateTimeOffset Started);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(StackLock.LockHolder))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class LockJson : System.Text.Json.Serialization.JsonSerializerContext;

public sealed class StackLockedException(string message) : Exception(message);
