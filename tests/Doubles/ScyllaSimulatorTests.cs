using Microsoft.Extensions.Time.Testing;
using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Scylla;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>The simulator keeps the documented ScyllaDB rules the reconciler's tests rely on.</summary>
public sealed class ScyllaSimulatorTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private ScyllaRestClient Client(ScyllaSimulator sim, string address) =>
        new(new HttpClient(sim), new Uri($"http://{address}:10000/"), _clock, new ScyllaRestOptions { GetRetries = 0 });

    /// <summary>Whether <paramref name="task"/> is done once everything that can run without time passing has run.</summary>
    private static async Task<bool> Done(Task task)
    {
        await SimulatedTime.Idle();
        return task.IsCompleted;
    }

    [Fact]
    public void With_blocking_posts_removenode_answers_only_once_the_node_is_removed() => SimulatedTime.Run(async () =>
    {
        var sim = new ScyllaSimulator(_clock) { TopologyPostsBlock = true, OperationDuration = TimeSpan.FromMinutes(10) };
        foreach (var i in Enumerable.Range(1, 4)) sim.Establish($"10.0.0.{i}", "dc1");
        sim.ReplicationFactors["dc1"] = 3;
        var dead = sim.Members[3];
        sim.Kill(dead.Address);
        _clock.Advance(TimeSpan.FromSeconds(25));

        var removing = Client(sim, "10.0.0.1").RemoveNodeAsync(dead.HostId, [], default);
        Assert.False(await Done(removing));
        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.False(await Done(removing)); // still streaming: no answer yet
        Assert.Contains(sim.Members, n => n.HostId == dead.HostId);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await Done(removing));
        await removing;
        Assert.DoesNotContain(sim.Members, n => n.HostId == dead.HostId);
        Assert.Contains(dead.HostId, sim.Banned);
    });

    [Fact]
    public void Cancelling_a_blocking_post_abandons_the_wait_but_not_the_operation() => SimulatedTime.Run(async () =>
    {
        var sim = new ScyllaSimulator(_clock) { TopologyPostsBlock = true, OperationDuration = TimeSpan.FromMinutes(10) };
        foreach (var i in Enumerable.Range(1, 4)) sim.Establish($"10.0.0.{i}", "dc1");
        using var cts = new CancellationTokenSource();

        var decommissioning = Client(sim, "10.0.0.4").DecommissionAsync(cts.Token);
        Assert.False(await Done(decommissioning));
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => decommissioning);
        Assert.Equal("decommission", sim.Operation!.Kind);
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(3, sim.Members.Count);
    });

    [Fact]
    public async Task A_booted_node_shows_up_only_after_the_boot_delay_and_is_judged_by_the_cluster_then()
    {
        var sim = new ScyllaSimulator(_clock) { BootDelay = TimeSpan.FromMinutes(2), OperationDuration = TimeSpan.FromMinutes(5) };
        foreach (var i in Enumerable.Range(1, 5)) sim.Establish($"10.0.0.{i}", "dc1");
        var (a, b) = (sim.Members[3], sim.Members[4]);
        sim.Kill(a.Address);
        sim.Kill(b.Address);
        _clock.Advance(TimeSpan.FromSeconds(25));

        var first = sim.Boot(a.Address, "dc1", a.HostId, [b.HostId]);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var second = sim.Boot(b.Address, "dc1", b.HostId, [a.HostId]); // accepted by the agent: the process starts
        Assert.Null(sim.Operation);
        Assert.DoesNotContain("10.0.0.4", await Client(sim, "10.0.0.1").JoiningAsync(default));

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(a.HostId, sim.Operation!.Node.Replacing);
        // Replacing, yet never listed as joining (ScyllaDB 2025.1: a replacing endpoint has no bootstrap tokens).
        Assert.DoesNotContain("10.0.0.4", await Client(sim, "10.0.0.1").JoiningAsync(default));

        _clock.Advance(TimeSpan.FromMinutes(1)); // the second process shows up while the first replace runs
        sim.Tick();
        Assert.NotNull(first.Node);
        Assert.Null(second.Node);
        Assert.Contains("another topology operation is in progress", second.Failure);
        Assert.Single(sim.Rejected);
    }

    /// <summary>Awaits <paramref name="task"/> inside <see cref="SimulatedTime.Run"/>, moving the clock a second at a time when idle.</summary>
    private async Task<T> Awaited<T>(Task<T> task)
    {
        for (var i = 0; i < 100_000; i++)
        {
            await SimulatedTime.Idle();
            if (task.IsCompleted) break;
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        return await task;
    }

    private async Task<Exception?> Failure(Task task) => await Awaited(Record.ExceptionAsync(() => task));

    [Fact]
    public void Without_a_raft_quorum_removenode_and_decommission_time_out_after_a_minute_saying_so() => SimulatedTime.Run(async () =>
    {
        var sim = new ScyllaSimulator(_clock);
        foreach (var i in Enumerable.Range(1, 5)) sim.Establish($"10.0.0.{i}", "dc1");
        var dead = sim.Members[4];
        sim.Partition("10.0.0.1");
        _clock.Advance(TimeSpan.FromSeconds(5)); // its gossip has not noticed the partition yet
        var start = _clock.GetUtcNow();

        var decommission = await Failure(Client(sim, "10.0.0.1").DecommissionAsync(default));
        var waited = _clock.GetUtcNow() - start;
        sim.Heal("10.0.0.1");
        sim.Kill(dead.Address);
        _clock.Advance(TimeSpan.FromSeconds(25)); // the dead node is seen down
        sim.Partition("10.0.0.1");
        _clock.Advance(TimeSpan.FromSeconds(5));
        var remove = await Failure(Client(sim, "10.0.0.1").RemoveNodeAsync(dead.HostId, [], default));

        // service/raft/raft_group_registry.cc at scylla-2025.1.4; group-0 operations time out after a minute.
        Assert.Contains("there is no raft quorum", Assert.IsType<ScyllaRestException>(decommission).Message);
        Assert.Contains("there is no raft quorum", Assert.IsType<ScyllaRestException>(remove).Message);
        Assert.True(waited >= TimeSpan.FromMinutes(1), $"answered after {waited}");
        Assert.Null(sim.Operation);
    });

    [Fact]
    public void With_tablets_a_removenode_below_the_rf_is_accepted_then_rolls_back_and_a_zero_token_node_never_counts() =>
        SimulatedTime.Run(async () =>
    {
        var sim = new ScyllaSimulator(_clock) { TopologyPostsBlock = true };
        sim.Establish("10.0.0.1", "dc1");
        sim.Establish("10.0.0.2", "dc1");
        sim.Establish("10.0.0.3", "dc1", zeroToken: true);
        sim.Establish("10.0.1.1", "dc2");
        sim.ReplicationFactors["dc1"] = 2;
        var dead = sim.Members[1];
        sim.Kill(dead.Address);
        _clock.Advance(TimeSpan.FromSeconds(25));

        var error = await Failure(Client(sim, "10.0.0.1").RemoveNodeAsync(dead.HostId, [], default));

        // 2025.1 makes no RF check up front; the tablet drain fails and the operation rolls back.
        Assert.Contains("Removenode failed. See earlier errors (Failed to drain tablets: dc1 would keep 1 node(s), fewer than its RF 2)",
            Assert.IsType<ScyllaRestException>(error).Message);
        Assert.Equal(["removenode " + dead.HostId], sim.Accepted);
        Assert.Equal(NodeState.Normal, sim.Members.Single(n => n.HostId == dead.HostId).State);
        Assert.Contains(dead.HostId, sim.Banned); // banned from the start, for good
        // The arbiter owns nothing: draining it never fails.
        Assert.Null(await Failure(Client(sim, "10.0.0.3").DecommissionAsync(default)));
    });

    [Fact]
    public void A_decommissioned_node_keeps_running_with_its_gossiper_stopped() => SimulatedTime.Run(async () =>
    {
        var sim = new ScyllaSimulator(_clock) { TopologyPostsBlock = true };
        foreach (var i in Enumerable.Range(1, 4)) sim.Establish($"10.0.0.{i}", "dc1");
        var leaving = sim.Members[3];

        Assert.Null(await Failure(Client(sim, leaving.Address).DecommissionAsync(default)));

        Assert.DoesNotContain(sim.Members, n => n.HostId == leaving.HostId);
        var client = Client(sim, leaving.Address);
        Assert.Equal(leaving.HostId, await client.LocalHostIdAsync(default)); // DECOMMISSIONED, still answering
        Assert.Contains("gossiper is not ready", (await Assert.ThrowsAsync<ScyllaRestException>(() => client.HostIdMapAsync(default))).Message);
    });

    [Fact]
    public void A_removenode_queued_behind_another_operation_is_cancelled_when_a_node_dies_meanwhile() => SimulatedTime.Run(async () =>
    {
        var sim = new ScyllaSimulator(_clock) { TopologyPostsBlock = true, OperationDuration = TimeSpan.FromMinutes(5) };
        foreach (var i in Enumerable.Range(1, 6)) sim.Establish($"10.0.0.{i}", "dc1");
        var (first, second, victim) = (sim.Members[5], sim.Members[4], sim.Members[1]);
        sim.Kill(first.Address);
        sim.Kill(second.Address);
        _clock.Advance(TimeSpan.FromSeconds(25));

        var removingFirst = Client(sim, "10.0.0.1").RemoveNodeAsync(first.HostId, [second.HostId], default);
        var removingSecond = Client(sim, "10.0.0.1").RemoveNodeAsync(second.HostId, [], default); // queued, not refused
        await SimulatedTime.Idle();
        Assert.Equal(["removenode " + first.HostId], sim.Accepted);
        sim.Kill(victim.Address); // dies while the first runs

        Assert.Null(await Failure(removingFirst));
        var error = await Failure(removingSecond);

        // service/topology_coordinator.cc at scylla-2025.1.4 (cancel_all_requests), answered as HTTP 500.
        Assert.Contains($"Canceled. Dead nodes: {{{victim.HostId}}}", Assert.IsType<ScyllaRestException>(error).Message);
        Assert.Equal(500, ((ScyllaRestException)error).StatusCode);
        Assert.Single(sim.Cancelled);
        Assert.Empty(sim.Rejected); // the cluster changed after the request: not the caller's fault
    });

    [Fact]
    public async Task An_accepted_removenode_stays_invisible_for_the_configured_window()
    {
        var sim = new ScyllaSimulator(_clock) { AcceptedVisibleAfter = TimeSpan.FromMinutes(2), OperationDuration = TimeSpan.FromMinutes(5) };
        foreach (var i in Enumerable.Range(1, 4)) sim.Establish($"10.0.0.{i}", "dc1");
        var dead = sim.Members[3];
        sim.Kill(dead.Address);
        _clock.Advance(TimeSpan.FromSeconds(25));
        var client = Client(sim, "10.0.0.1");

        await client.RemoveNodeAsync(dead.HostId, [], default);

        Assert.Empty(await client.LeavingAsync(default));
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal([dead.Address], await client.LeavingAsync(default));
        Assert.Equal(NodeState.Leaving, sim.Members[3].State);
    }

    [Fact]
    public void A_refused_join_leaves_its_host_id_on_the_volume_and_a_retry_from_it_is_refused_again()
    {
        var sim = new ScyllaSimulator(_clock);
        foreach (var i in Enumerable.Range(1, 4)) sim.Establish($"10.0.0.{i}", "dc1");
        var dead = sim.Members[3];
        sim.Kill(dead.Address);
        sim.Kill("10.0.0.3");
        _clock.Advance(TimeSpan.FromSeconds(25));
        var refused = Assert.Throws<InvalidOperationException>(() => sim.Boot(dead.Address, "dc1", dead.HostId, []));
        sim.Revive("10.0.0.3");

        var again = Assert.Throws<InvalidOperationException>(() =>
            sim.Boot(dead.Address, "dc1", dead.HostId, [], hostIdOnDisk: (string)refused.Data["hostId"]!));

        // service/storage_service.cc at scylla-2025.1.4 (join_node_request_handler)
        Assert.Contains("The node has already been removed from the cluster", again.Message);
        Assert.NotNull(sim.Boot(dead.Address, "dc1", dead.HostId, []).Node); // from a cleared data directory it joins
    }
}
