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

    [Fact]
    public void A_lock_naming_this_process_id_but_another_process_start_is_stale_and_taken_over()
    {
        // What a restarted container leaves: the same pid (say 1) on the same host, but an earlier process.
        var earlier = new { pid = Environment.ProcessId, host = Environment.MachineName, user = "me", command = "up", started = DateTimeOffset.UtcNow.AddHours(-1), startTicks = 1 };
        File.WriteAllText(Path.Combine(_dir, StackLock.FileName), JsonSerializer.Serialize(earlier));
        var notices = new List<string>();

        using var taken = StackLock.Acquire(_dir, "destroy", notices.Add);

        Assert.Contains("stale lock", Assert.Single(notices));
        Assert.Contains("\"destroy\"", File.ReadAllText(Path.Combine(_dir, StackLock.FileName)));
    }

    [Fact]
    public void Two_runs_that_both_find_the_same_stale_lock_do_not_both_get_the_stack()
    {
        var stale = new { pid = int.MaxValue - 7, host = Environment.MachineName, user = "ghost", command = "up", started = DateTimeOffset.UtcNow };
        File.WriteAllText(Path.Combine(_dir, StackLock.FileName), JsonSerializer.Serialize(stale));
        StackLock? other = null;

        // The second run takes over in the instant after the first decided the lock was stale.
        var error = Assert.Throws<StackLockedException>(() =>
            StackLock.Acquire(_dir, "up", _ => other ??= StackLock.Acquire(_dir, "destroy")));

        using (other)
        {
            Assert.NotNull(other);
            Assert.Contains("'destroy'", error.Message);
            Assert.Contains("\"destroy\"", File.ReadAllText(Path.Combine(_dir, StackLock.FileName)));
        }
    }

    [Fact]
    public void A_lock_held_by_a_live_process_on_this_host_is_not_taken_over()
    {
        var live = new { pid = 1, host = Environment.MachineName, user = "root", command = "up", started = DateTimeOffset.UtcNow };
        File.WriteAllText(Path.Combine(_dir, StackLock.FileName), JsonSerializer.Serialize(live));

        var error = Assert.Throws<StackLockedException>(() => StackLock.Acquire(_dir, "up"));

        Assert.Contains("locked by process 1 of user root", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"pid\": 12")]
    [InlineData("not json")]
    public void An_empty_or_unreadable_lock_that_no_process_holds_open_is_stale_and_taken_over(string content)
    {
        File.WriteAllText(Path.Combine(_dir, StackLock.FileName), content);
        var notices = new List<string>();

        using var taken = StackLock.Acquire(_dir, "up", notices.Add);

        Assert.Contains(notices, n => n.Contains("empty or unreadable lock", StringComparison.Ordinal));
        Assert.Contains("\"up\"", File.ReadAllText(Path.Combine(_dir, StackLock.FileName)));
    }

    [Fact]
    public void An_empty_lock_a_running_process_still_has_open_is_not_taken_over()
    {
        // What an older version's run looks like between creating its lock and filling it.
        using var writer = new FileStream(Path.Combine(_dir, StackLock.FileName), FileMode.CreateNew, FileAccess.Write);

        var error = Assert.Throws<StackLockedException>(() => StackLock.Acquire(_dir, "up"));

        Assert.Contains("being written by a running process", error.Message);
    }

    [Fact]
    public void Runs_racing_for_the_lock_either_get_it_or_see_a_complete_holder_never_an_unreadable_lock()
    {
        var messages = new System.Collections.Concurrent.ConcurrentBag<string>();
        for (var round = 0; round < 20; round++)
        {
            Parallel.For(0, 8, _ =>
            {
                try
                {
                    StackLock.Acquire(_dir, "up").Dispose();
                }
                catch (StackLockedException e)
                {
                    messages.Add(e.Message);
                }
            });
        }

        Assert.All(messages, m => Assert.DoesNotContain("could not be read", m));
        Assert.All(messages, m => Assert.DoesNotContain("being written", m));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }
}
