using System.Diagnostics;
using ScyllaApocryph.Agent;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>
/// The volume lock on its own: an exclusive flock on a file of the data volume, as util-linux flock(1) takes it
/// (flock(2) LOCK_EX), released by the kernel when its holder dies however it dies.
/// </summary>
public sealed class VolumeLockTests
{
    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }

    [Fact]
    public async Task A_lock_another_process_holds_is_waited_for_until_that_process_is_killed()
    {
        var dir = Directory.CreateTempSubdirectory("volume-lock-process").FullName;
        var path = Path.Combine(dir, VolumeLock.FileName);
        // Another process (another pod's agent) holds the lock: flock(1) takes the same exclusive flock(2) lock.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", path, "sleep", "120"]) { UseShellExecute = false })!;
        try
        {
            await WaitFor(() => File.Exists(path));
            var messages = new List<string>();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var waiting = Task.Run(() => VolumeLock.AcquireAsync(dir, "second", TimeSpan.FromMilliseconds(20), m => { lock (messages) messages.Add(m); }, stop.Token));
            await WaitFor(() => { lock (messages) return messages.Count > 0; });
            await Task.Delay(200);
            Assert.False(waiting.IsCompleted);
            Assert.Contains("holder unknown", Assert.Single(messages)); // flock(1) names no holder; an agent would
            holder.Kill(entireProcessTree: true); // SIGKILL to flock and its child (which shares the lock): the kernel drops it
            using var held = await waiting;
            Assert.Equal("second\n", File.ReadAllText(path + ".holder"));
        }
        finally
        {
            if (!holder.HasExited) holder.Kill(entireProcessTree: true);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Waiting_for_the_lock_ends_when_the_agent_is_stopped_and_leaves_the_lock_to_its_holder()
    {
        var dir = Directory.CreateTempSubdirectory("volume-lock-cancel").FullName;
        try
        {
            using var first = await VolumeLock.AcquireAsync(dir, "first", TimeSpan.FromMilliseconds(20), _ => { }, default);
            using var stop = new CancellationTokenSource();
            var second = VolumeLock.AcquireAsync(dir, "second", TimeSpan.FromMilliseconds(20), _ => { }, stop.Token);
            await stop.CancelAsync(); // SIGTERM while waiting
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
            Assert.Equal("first\n", File.ReadAllText(Path.Combine(dir, VolumeLock.FileName + ".holder")));

            // flock(1) cannot take it either while the first holds it (-n: fail at once instead of waiting).
            using (var probe = Process.Start(new ProcessStartInfo("flock", ["--nonblock", "--exclusive", Path.Combine(dir, VolumeLock.FileName), "true"]))!)
            {
                Assert.True(probe.WaitForExit(30_000));
                Assert.Equal(1, probe.ExitCode);
            }
            first.Dispose();
            using var third = await VolumeLock.AcquireAsync(dir, "third", TimeSpan.FromMilliseconds(20), _ => { }, default)
                .WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_lock_creates_a_missing_data_directory()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("volume-lock-new").FullName, "not", "yet");
        try
        {
            using var held = await VolumeLock.AcquireAsync(dir, "first", TimeSpan.FromMilliseconds(20), _ => { }, default);
            Assert.True(File.Exists(Path.Combine(dir, VolumeLock.FileName)));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(dir))!, recursive: true);
        }
    }
}
