using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Tests.Agent;

[CollectionDefinition("agent processes", DisableParallelization = true)]
public sealed class AgentProcessCollection;

/// <summary>
/// Real agent processes (the published single file, run with no dotnet on PATH) beside ScyllaDB stand-in processes,
/// killed with SIGKILL as hosts and containers die.
/// </summary>
[Collection("agent processes")]
public sealed class AgentProcessTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    [Fact]
    public void Three_empty_volumes_form_one_cluster_founded_only_by_the_founder_slot()
    {
        using var cluster = new AgentCluster(3, "form");
        cluster.Form();

        Assert.Equal(3, cluster.Sim.Members.Count);
        Assert.Empty(cluster.Server.SecondClusters);
        Assert.Single(cluster.Server.Starts, s => s.StartsWith($"fresh {cluster[1].Address} seeds={cluster[1].Address}", StringComparison.Ordinal));
        // The others joined one at a time, each seeded by ready peers only, never by itself.
        foreach (var n in cluster.Nodes.Skip(1))
            Assert.DoesNotContain(cluster.Server.Starts, s => s.StartsWith($"fresh {n.Address}", StringComparison.Ordinal) && s.Contains(n.Address + ",") || s.EndsWith("=" + n.Address, StringComparison.Ordinal));
        Assert.Equal(2, cluster.Sim.Accepted.Count(a => a.StartsWith("bootstrap", StringComparison.Ordinal)));
        foreach (var n in cluster.Nodes) Assert.Equal(cluster.MemberAt(n.Address)!.HostId, n.Identity!.HostId);
    }

    [Fact]
    public void A_node_killed_and_restarted_on_its_volume_keeps_its_host_id()
    {
        using var cluster = new AgentCluster(3, "restart");
        cluster.Form();
        var node = cluster[2];
        var hostId = cluster.MemberAt(node.Address)!.HostId;

        node.Kill();
        cluster.WaitUntil(() => !cluster.Sim.IsLiveNow(node.Address), Long, "the killed node seen down");
        node.Start();
        cluster.WaitUntil(() => cluster.IsUpNormal(node.Address), Long, "the node back Up Normal");

        Assert.Equal(hostId, cluster.MemberAt(node.Address)!.HostId);
        Assert.Equal(hostId, node.Identity!.HostId);
        Assert.Contains($"restart {node.Address} {hostId}", cluster.Server.Starts);
        Assert.DoesNotContain(cluster.Sim.Accepted, a => a.StartsWith("replace", StringComparison.Ordinal) || a.StartsWith("removenode", StringComparison.Ordinal));
    }

    [Fact]
    public void A_node_killed_and_wiped_is_replaced_under_its_slot_and_the_old_host_id_is_banned()
    {
        using var cluster = new AgentCluster(3, "wipe");
        cluster.Form();
        var node = cluster[3];
        var old = cluster.MemberAt(node.Address)!.HostId;

        node.Kill();
        node.Wipe();
        node.Start();
        cluster.WaitUntil(() => cluster.MemberAt(node.Address) is { } m && m.HostId != old && cluster.IsUpNormal(node.Address), Long,
            "a new host ID Up Normal at the slot's address");

        Assert.Equal([$"replace {old}"], cluster.Sim.Accepted.Where(a => a.StartsWith("replace", StringComparison.Ordinal)));
        Assert.Contains(old, cluster.Sim.Banned);
        Assert.DoesNotContain(cluster.Sim.Members, m => m.HostId == old);
        Assert.Empty(cluster.Server.SecondClusters);
        cluster.WaitUntil(() => node.Identity?.HostId == cluster.MemberAt(node.Address)!.HostId, Long, "the new host ID recorded on the volume");
    }

    [Fact]
    public void A_second_agent_on_the_same_volume_waits_for_the_lock_and_then_restarts_on_the_data()
    {
        using var cluster = new AgentCluster(3, "lock");
        cluster.Form();
        var node = cluster[2];
        var hostId = cluster.MemberAt(node.Address)!.HostId;
        var first = node.Process!;

        var second = node.Start(); // a second pod of a rolling update, same volume, while the first still runs
        cluster.WaitUntil(() => node.Log.Contains("is locked by another agent", StringComparison.Ordinal), Long, "the second agent waiting for the lock");
        Thread.Sleep(1000);
        Assert.False(second.HasExited);
        Assert.Empty(cluster.Server.DoubleStarts);
        Assert.Single(cluster.Server.Starts, s => s.StartsWith($"fresh {node.Address} ", StringComparison.Ordinal) ||
            s.StartsWith($"restart {node.Address} ", StringComparison.Ordinal));

        first.Kill(); // the old pod goes; its ScyllaDB child goes with its container
        if (cluster.Server.PidOf(node.Address) is { } pid) System.Diagnostics.Process.GetProcessById(pid).Kill();
        cluster.WaitUntil(() => cluster.Server.Starts.Contains($"restart {node.Address} {hostId}"), Long, "the second agent restarting the node");
        cluster.WaitUntil(() => cluster.IsUpNormal(node.Address), Long, "the node Up Normal again");
        Assert.Equal(hostId, cluster.MemberAt(node.Address)!.HostId);
        Assert.Empty(cluster.Server.DoubleStarts);
    }
}
