using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ScyllaApocryph.Engine.State;

/// <summary>
/// Stops two runs on one stack: a lock file created atomically (O_EXCL), holding who took it.
/// A lock whose holder process is gone from this host is stale and is taken over with a notice. A process is
/// named by its pid together with its start time and the boot it runs in, so a pid used again by a later process
/// (this one included) does not keep a dead run's lock alive. Two runs that see the same stale lock take it over
/// one at a time, under an exclusive OS lock on <c>lock.takeover</c>, and only if it is still the lock they saw.
/// </summary>
public sealed class StackLock : IDisposable
{
    public const string FileName = "lock";
    public const string TakeoverFileName = "lock.takeover";
    private static readonly TimeSpan TakeoverWait = TimeSpan.FromSeconds(5);
    private readonly string _path;

    private StackLock(string path) => _path = path;

    public static StackLock Acquire(string stackDirectory, string command, Action<string>? notice = null)
    {
        Directory.CreateDirectory(stackDirectory);
        var path = Path.Combine(stackDirectory, FileName);
        var self = ProcessIdentity.Of(Environment.ProcessId);
        var holder = new LockHolder(Environment.ProcessId, Environment.MachineName, Environment.UserName, command, DateTimeOffset.UtcNow,
            self?.StartTicks, self?.Boot);
        for (var attempt = 0; attempt < 3; attempt++)
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
                if (existing is null && !File.Exists(path)) continue; // released meanwhile
                if (existing is null || !IsStale(existing))
                    throw new StackLockedException(existing is null
                        ? $"the stack is locked by another run (lock file {path} could not be read). If no run is active, delete that file."
                        : $"the stack is locked by process {existing.Pid} of user {existing.User} on host {existing.Host}, running '{existing.Command}' " +
                          $"since {existing.Started:u}. Wait for it to finish; if that run is gone, delete {path}.");
                notice?.Invoke($"removing a stale lock left by process {existing.Pid} ('{existing.Command}', started {existing.Started:u}), which is no longer running");
                RemoveIfStill(path, existing, stackDirectory);
                // Whether this run removed it or another run took over first, try again: one of them wins the create.
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

    /// <summary>
    /// Deletes the lock file if it still holds <paramref name="stale"/>. Under an exclusive OS lock (released by
    /// the kernel if this process dies), so a run that saw the same stale lock cannot delete a lock another run
    /// has just created in its place.
    /// </summary>
    private static void RemoveIfStill(string path, LockHolder stale, string stackDirectory)
    {
        var guardPath = Path.Combine(stackDirectory, TakeoverFileName);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // Never deleted: removing it could let two runs lock two different files of that name.
                using var guard = new FileStream(guardPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                if (ReadHolder(path) == stale) File.Delete(path);
                return;
            }
            catch (IOException) when (clock.Elapsed < TakeoverWait)
            {
                Thread.Sleep(20); // another run is taking over right now
            }
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

    /// <summary>
    /// True if the holder is surely gone: on this host, and no running process is the one that took the lock.
    /// A holder on another host cannot be checked from here, so its lock is never taken over.
    /// </summary>
    private static bool IsStale(LockHolder holder)
    {
        if (holder.Host != Environment.MachineName) return false;
        var running = ProcessIdentity.Of(holder.Pid);
        if (running is null) return !IsAlive(holder.Pid); // no /proc entry to compare: fall back to the pid alone
        if (holder.StartTicks is null || holder.Boot is null)
            // An older lock file without the start time: the pid alone decides, but a lock naming this very
            // process cannot be this process's own (it always writes the start time), so it is stale.
            return holder.Pid == Environment.ProcessId || !IsAlive(holder.Pid);
        return running.StartTicks != holder.StartTicks || running.Boot != holder.Boot;
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

    internal sealed record LockHolder(int Pid, string Host, string User, string Command, DateTimeOffset Started, long? StartTicks = null, string? Boot = null);

    /// <summary>Who a pid is right now on Linux: its start time in clock ticks since boot, and the boot's id.</summary>
    private sealed record ProcessIdentity(long StartTicks, string Boot)
    {
        public static ProcessIdentity? Of(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                // Field 22 is the start time; field 2 (the name, in parentheses) may hold spaces, so count after it.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
                return new ProcessIdentity(long.Parse(fields[19], CultureInfo.InvariantCulture), boot);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                return null;
            }
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(StackLock.LockHolder))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class LockJson : System.Text.Json.Serialization.JsonSerializerContext;

public sealed class StackLockedException(string message) : Exception(message);
