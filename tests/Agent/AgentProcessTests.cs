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
    public void A_cluster_forms_from_empty_volumes_and_heals_a_restart_a_wiped_volume_and_a_second_pod_on_one_volume()
    {
        using var cluster = new AgentCluster(3, "heal");
        cluster.Form();

        // Formed: only the founder slot founded (seeding itself); the others joined one at a time, seeded by ready peers.
        Assert.Equal(3, cluster.Sim.Members.Count);
        Assert.Empty(cluster.Server.SecondClusters);
        Assert.Equal($"fresh {cluster[1].Address} seeds={cluster[1].Address}", cluster.Server.Starts[0]);
        foreach (var n in cluster.Nodes.Skip(1))
            Assert.Single(cluster.Server.Starts, s => s.StartsWith($"fresh {n.Address} seeds=", StringComparison.Ordinal) &&
                !s.Split('=')[1].Split(',').Contains(n.Address));
        Assert.Equal(2, cluster.Sim.Accepted.Count(a => a.StartsWith("bootstrap", StringComparison.Ordinal)));
        foreach (var n in cluster.Nodes) Assert.Equal(cluster.MemberAt(n.Address)!.HostId, n.Identity!.HostId);

        // Kill and restart on the volume: the same host ID, no topology change.
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

        // Kill and wipe: replaced under the same slot; the old host ID is dead, replaced and banned.
        var wiped = cluster[3];
        var old = cluster.MemberAt(wiped.Address)!.HostId;
        wiped.Kill();
        wiped.Wipe();
        wiped.Start();
        cluster.WaitUntil(() => cluster.MemberAt(wiped.Address) is { } m && m.HostId != old && cluster.IsUpNormal(wiped.Address), Long,
            "a new host ID Up Normal at the wiped slot's address");
        Assert.Equal([$"replace {old}"], cluster.Sim.Accepted.Where(a => a.StartsWith("replace", StringComparison.Ordinal)));
        Assert.Contains(old, cluster.Sim.Banned);
        Assert.DoesNotContain(cluster.Sim.Members, m => m.HostId == old);
        Assert.Empty(cluster.Server.SecondClusters);
        cluster.WaitUntil(() => wiped.Identity?.HostId == cluster.MemberAt(wiped.Address)!.HostId, Long, "the new host ID recorded on the volume");

        // Two pods on one volume (a rolling update): the second waits for the lock, then restarts on the data.
        var first = node.Process!;
        var starts = cluster.Server.Starts.Count;
        var second = node.Start();
        cluster.WaitUntil(() => node.Log.Contains($"is locked by another agent (agent pid {first.Id} ", StringComparison.Ordinal), Long,
            "the second agent waiting for the lock, naming its holder");
        Thread.Sleep(1000);
        Assert.False(second.HasExited);
        Assert.Equal(starts, cluster.Server.Starts.Count);
        first.Kill(); // the old pod goes; its ScyllaDB child goes with its container
        if (cluster.Server.PidOf(node.Address) is { } pid) System.Diagnostics.Process.GetProcessById(pid).Kill();
        cluster.WaitUntil(() => cluster.Server.Starts.Skip(starts).Contains($"restart {node.Address} {hostId}"), Long, "the second agent restarting the node");
        cluster.WaitUntil(() => cluster.IsUpNormal(node.Address), Long, "the node Up Normal again");
        Assert.Equal(hostId, cluster.MemberAt(node.Address)!.HostId);
        Assert.Empty(cluster.Server.DoubleStarts);
    }

    [Fact]
    public void A_dead_node_whose_slot_is_deleted_is_removed_once_even_when_the_acting_agent_dies_during_the_removenode()
    {
        using var cluster = new AgentCluster(4, "actor-kill", operationDuration: TimeSpan.FromSeconds(6));
        cluster.Form();
        var gone = cluster[4];
        var hostId = cluster.MemberAt(gone.Address)!.HostId;
        gone.Kill();
        cluster.DeleteSlot(gone);

        cluster.WaitUntil(() => cluster.Sim.Operation is { Kind: "removenode" }, Long, "the removenode in flight");
        var actor = cluster.Actor();
        Assert.NotNull(actor);
        actor.Kill(); // the acting agent and its node die mid-operation
        cluster.WaitUntil(() => cluster.Sim.Banned.Contains(hostId), Long, "the removenode finished");
        var successor = cluster.Nodes.Take(3).Where(n => n != actor);
        cluster.WaitUntil(() => cluster.Actor() is { } next && next != actor, Long, "another agent elected the actor");
        cluster.WaitUntil(() => successor.Any(n => n.Log.Contains("\"intent\":\"Settled\"", StringComparison.Ordinal) ||
            n.Log.Contains("has no instance", StringComparison.Ordinal)), Long, "the new actor judged the recorded removenode");

        // Anyone but the actor asking an agent for a removenode (here without the actor's term) is refused, and it is logged.
        var bystander = successor.First();
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        using (var forged = new HttpRequestMessage(HttpMethod.Post, $"{bystander.AgentUrl}storage_service/remove_node?host_id={hostId}"))
        {
            forged.Headers.Add(ScyllaApocryph.Agent.PeerIdentity.SlotHeader, bystander.Slot);
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, http.Send(forged).StatusCode);
        }
        cluster.WaitUntil(() => bystander.Log.Contains("\"event\":\"refused\"", StringComparison.Ordinal), Long, "the refusal logged");

        actor.Start(); // its node comes back on its volume
        cluster.WaitUntil(() => cluster.IsUpNormal(actor.Address), Long, "the killed node back");
        Thread.Sleep(3000);
        Assert.Equal([$"removenode {hostId}"], cluster.Sim.Accepted.Where(a => a.StartsWith("removenode", StringComparison.Ordinal)));
        Assert.DoesNotContain(cluster.Sim.Rejected, r => r.StartsWith("removenode", StringComparison.Ordinal));
        // One request in all (none refused either): one agent issued it, and the successor did not repeat it.
    }

    [Fact]
    public void A_renewed_certificate_restarts_every_node_one_at_a_time_even_when_the_restarting_agent_crashes_mid_restart()
    {
        using var cluster = new AgentCluster(3, "rolling");
        cluster.Form();
        var hostIds = cluster.Nodes.ToDictionary(n => n, n => cluster.MemberAt(n.Address)!.HostId);
        var accepted = cluster.Sim.Accepted.Count;
        int Restarts(AgentNode n, int since) => cluster.Server.Starts.Skip(since).Count(s => s == $"restart {n.Address} {hostIds[n]}");

        // Every certificate renewed at once: each node restarts once, never two down together.
        var mark = cluster.Server.Starts.Count;
        var stops = cluster.Server.Stops.Count;
        cluster.RenewCertificates(2);
        cluster.WaitUntil(() => cluster.Nodes.All(n => Restarts(n, mark) >= 1 && cluster.IsUpNormal(n.Address)), Long,
            "every node restarted with its renewed certificate and Up Normal");
        Assert.All(cluster.Nodes, n => Assert.Equal(1, Restarts(n, mark)));
        Assert.Equal(3, cluster.Server.Stops.Count - stops);
        Assert.Equal(1, cluster.Server.MaxDown);

        // Renewed again; the agent that got the token is SIGKILLed (with its node) in the middle of its restart. The
        // token stays with its slot: nobody else stops while it is away, and the rolling restart goes on once it is back.
        mark = cluster.Server.Starts.Count;
        stops = cluster.Server.Stops.Count;
        var restartLines = cluster.Nodes.ToDictionary(n => n, n => AgentCluster.Count(n.Log, "\"event\":\"restart\""));
        cluster.RenewCertificates(3);
        AgentNode? crashed = null;
        cluster.WaitUntil(() => (crashed = cluster.Nodes.FirstOrDefault(n => AgentCluster.Count(n.Log, "\"event\":\"restart\"") > restartLines[n])) is not null,
            Long, "a node beginning its rolling restart");
        crashed!.Kill();
        cluster.WaitUntil(() => cluster.Nodes.Where(n => n != crashed).Any(n => n.Log.Contains($"slot {crashed.Slot} holds the restart token and its agent does not answer",
            StringComparison.Ordinal)), Long, "an actor keeping the token with the crashed slot");
        Thread.Sleep(3000); // several rounds of every agent's poll (300 ms) and watch (300 ms)
        Assert.All(cluster.Server.Stops.Skip(stops), s => Assert.Equal(crashed.Address, s.Address));
        Assert.All(cluster.Nodes.Where(n => n != crashed), n => Assert.Equal(0, Restarts(n, mark)));

        crashed.Start(); // as the kubelet or the supervisor restarts a crashed container: back on its volume, new inputs
        cluster.WaitUntil(() => cluster.Nodes.All(n => Restarts(n, mark) >= 1 && cluster.IsUpNormal(n.Address)), Long,
            "the rolling restart finished after the crashed agent came back");
        // The crashed node may have started its new ScyllaDB before the kill: then once more on its agent's return.
        Assert.All(cluster.Nodes.Where(n => n != crashed), n => Assert.Equal(1, Restarts(n, mark)));
        Assert.InRange(Restarts(crashed, mark), 1, 2);
        Assert.Equal(1, cluster.Server.MaxDown);
        Assert.All(cluster.Nodes, n => Assert.Equal(hostIds[n], cluster.MemberAt(n.Address)!.HostId));
        Assert.Equal(accepted, cluster.Sim.Accepted.Count); // restarts are no topology operations

        // SIGTERM still drains and stops ScyllaDB, and the agent exits with its exit code.
        Assert.Equal(0, cluster[2].Terminate(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void While_observers_disagree_about_a_partitioned_node_no_agent_takes_any_action()
    {
        using var cluster = new AgentCluster(3, "partition");
        cluster.Form();
        var accepted = cluster.Sim.Accepted.Count;
        var node = cluster[3];

        cluster.Sim.Partition(node.Address);
        cluster.WaitUntil(() => cluster.Nodes.Any(n => n.Log.Contains("observers disagree", StringComparison.Ordinal)), Long,
            "an actor's decision naming the disagreement");
        Thread.Sleep(3 * 2 * AgentCluster.FailureDetectorMs); // well past the grace period
        Assert.Equal(accepted, cluster.Sim.Accepted.Count);
        Assert.Empty(cluster.Sim.Rejected);

        cluster.Sim.Heal(node.Address);
        cluster.WaitUntil(() => cluster.Nodes.All(n => cluster.IsUpNormal(n.Address)), Long, "every node Up Normal after the heal");
        Assert.Equal(accepted, cluster.Sim.Accepted.Count);
    }

    [Fact]
    public void The_published_agent_runs_with_no_dotnet_on_path_and_exits_2_naming_the_bad_key()
    {
        var dir = Directory.CreateTempSubdirectory("agent-nodotnet");
        try
        {
            var info = new System.Diagnostics.ProcessStartInfo(AgentBinaries.Agent, ["version"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            info.Environment.Clear();
            info.Environment["PATH"] = dir.FullName; // an empty directory: no dotnet, no DOTNET_ROOT
            using (var p = System.Diagnostics.Process.Start(info)!)
            {
                var output = p.StandardOutput.ReadToEnd();
                Assert.True(p.WaitForExit(30_000));
                Assert.Equal(0, p.ExitCode);
                Assert.Contains("linux-x64", output);
            }
            var config = Path.Combine(dir.FullName, "agent.json");
            File.WriteAllText(config, """{"cluster":"c","slot":"a","slots":[],"dataDirectory":"/x","entrypoint":["/bin/true"],"baseScyllaYaml":"/x","founderSlot":"a","listen":"nowhere","security":"tls"}""");
            info.ArgumentList.Clear();
            foreach (var a in new[] { "run", "--config", config }) info.ArgumentList.Add(a);
            using var bad = System.Diagnostics.Process.Start(info)!;
            var error = bad.StandardError.ReadToEnd();
            Assert.True(bad.WaitForExit(30_000));
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("slots: must list", error);
            Assert.Contains("listen: 'nowhere'", error);
            Assert.Contains("tls: required", error);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_agent_refuses_a_volume_of_another_slot_and_exits_3_without_starting_scylla()
    {
        using var cluster = new AgentCluster(3, "identity");
        var node = cluster[2];
        new ScyllaApocryph.Agent.VolumeIdentity("test", "n7", "00000009-0000-0000-0000-000000000000").Write(node.DataDirectory);
        var p = node.Start();
        Assert.True(p.WaitForExit(30_000));
        Assert.Equal(3, p.ExitCode);
        Assert.Contains("belongs to cluster 'test' slot 'n7'", node.Log);
        Assert.Empty(cluster.Server.Starts);
    }
}
