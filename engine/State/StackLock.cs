using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ScyllaApocryph.Engine.State;

/// <summary>
/// Stops two runs on one stack: a lock file holding who took it, written in full beside the lock and then linked into
/// place only if no lock exists (so no run ever sees it empty or half written, even after a kill).
/// A lock whose holder process is gone from this host is stale and is taken over with a notice; so is an empty or
/// unreadable lock (damage, or an older version killed between creating and filling it) that no process has open. A process is
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
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if (TryPlace(path, holder)) return new StackLock(path);
            var seen = ReadText(path);
            if (seen is null) continue; // released meanwhile
            var existing = Parse(seen);
            if (existing is null)
            {
                if (IsOpenByAnyProcess(path))
                    throw new StackLockedException($"the stack is locked by another run (lock file {path} is being written by a running process). Wait for it to finish.");
                notice?.Invoke($"removing an empty or unreadable lock {path} that no running process holds");
            }
            else if (!IsStale(existing))
                throw new StackLockedException(
                    $"the stack is locked by process {existing.Pid} of user {existing.User} on host {existing.Host}, running '{existing.Command}' " +
                    $"since {existing.Started:u}. Wait for it to finish; if that run is gone, delete {path}.");
            else notice?.Invoke($"removing a stale lock left by process {existing.Pid} ('{existing.Command}', started {existing.Started:u}), which is no longer running");
            RemoveIfStill(path, seen, stackDirectory);
            // Whether this run removed it or another run took over first, try again: one of them wins the placing.
        }
        throw new StackLockedException($"could not take the stack lock {path}");
    }

    /// <summary>
    /// Writes the holder to a file of this run's own, then moves it to <paramref name="path"/> unless a lock is there.
    /// A move that must not overwrite is link(2) and unlink(2) on Linux in .NET (System.IO.FileSystem.Unix MoveFile),
    /// which fails atomically if the name exists; the lock appears complete or not at all.
    /// </summary>
    private static bool TryPlace(string path, LockHolder holder)
    {
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(file, holder, LockJson.Default.LockHolder);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(temp))
        {
            return false; // not moved: a lock was there (it may be gone again by now; the caller looks)
        }
        finally
        {
            File.Delete(temp);
        }
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
    private static void RemoveIfStill(string path, string stale, string stackDirectory)
    {
        var guardPath = Path.Combine(stackDirectory, TakeoverFileName);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // Never deleted: removing it could let two runs lock two different files of that name.
                using var guard = new FileStream(guardPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                if (ReadText(path) == stale) File.Delete(path);
                return;
            }
            catch (IOException) when (clock.Elapsed < TakeoverWait)
            {
                Thread.Sleep(20); // another run is taking over right now
            }
        }
    }

    /// <summary>The lock file's text, or null if there is none.</summary>
    private static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static LockHolder? Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, LockJson.Default.LockHolder);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// True if some process of this host has <paramref name="path"/> open (its /proc/PID/fd links to it): an older
    /// version writes its lock through an open handle, so an empty lock it is still filling is open.
    /// </summary>
    private static bool IsOpenByAnyProcess(string path)
    {
        var full = Path.GetFullPath(path);
        foreach (var fdDir in SafeEnumerate("/proc", "*").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
            foreach (var fd in SafeEnumerate(Path.Combine(fdDir, "fd"), "*"))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget == full) return true;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // the descriptor closed meanwhile, or it belongs to another user (who cannot hold this lock)
                }
            }
        return false;
    }

    private static IEnumerable<string> SafeEnumerate(string dir, string pattern)
    {
        try
        {
            return Directory.GetFileSystemEntries(dir, pattern);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
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
