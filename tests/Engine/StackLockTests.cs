using System.Text.Json;
using ScyllaApocryph.Engine.State;

namespace ScyllaApocryph.Tests.Engine;

public sealed class StackLockTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lock-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void A_second_run_on_a_locked_stack_is_refused_with_the_holder_named()
    {
        using var first = StackLock.Acquire(_dir, "up");

        var error = Assert.Throws<StackLockedException>(() => StackLock.Acquire(_dir, "destroy"));

        Assert.Contains($"process {Environment.ProcessId}", error.Message);
        Assert.Contains("'up'", error.Message);
    }

    [Fact]
    public void The_lock_is_released_when_the_run_ends()
    {
        StackLock.Acquire(_dir, "up").Dispose();

        using var again = StackLock.Acquire(_dir, "up");

        Assert.True(File.Exists(Path.Combine(_dir, StackLock.FileName)));
    }

    [Fact]
    public void A_lock_left_by_a_process_that_no_longer_runs_is_taken_over_with_a_notice()
    {
        var stale = new { pid = int.MaxValue - 7, host = Environment.MachineName, user = "ghost", command = "up", started = DateTimeOffset.UtcNow };
        File.WriteAllText(Path.Combine(_dir, StackLock.FileName), JsonSerializer.Serialize(stale));
        var notices = new List<string>();

        using var taken = StackLock.Acquire(_dir, "up", notices.Add);

        Assert.Contains("stale lock", Assert.Single(notices));
    }
}
