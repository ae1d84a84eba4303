using System.Diagnostics;
using ScyllaApocryph.Agent;
using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>
/// N real agent processes, each with its own data directory and loopback address (127.a.b.i), each starting a ScyllaDB
/// stand-in process that plays its node in one shared simulated cluster. Times are short (failure detector 2 s) but
/// every wait is bounded and every assertion is about outcomes, never about how fast something happened.
/// </summary>
public sealed class AgentCluster : IDisposable
{
    public const int AgentPort = 7080;
    public const int FailureDetectorMs = 2000;

    private static int _instances;

    public SimulatedClusterServer Server { get; }

    public ScyllaSimulator Sim => Server.Sim;

    public string Root { get; }

    public string EmptyPath { get; }

    public List<AgentNode> Nodes { get; } = [];

    public Dictionary<string, int> ReplicationFactors { get; } = new() { ["dc1"] = 2 };

    public AgentCluster(int nodes, string name, TimeSpan? operationDuration = null)
    {
        Root = Path.Combine(Path.GetTempPath(), $"agent-cluster-{Environment.ProcessId}-{Interlocked.Increment(ref _instances)}-{name}");
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        EmptyPath = Path.Combine(Root, "empty-path");
        Directory.CreateDirectory(EmptyPath);
        var sim = new ScyllaSimulator(TimeProvider.System)
        {
            FailureDetectorTimeout = TimeSpan.FromMilliseconds(FailureDetectorMs),
            OperationDuration = operationDuration ?? TimeSpan.FromSeconds(1),
            TopologyPostsBlock = true, // as ScyllaDB's REST API: removenode answers when it has finished
        };
        foreach (var (dc, rf) in ReplicationFactors) sim.ReplicationFactors[dc] = rf;
        Server = new SimulatedClusterServer(sim);
        // A loopback subnet of its own (127.a.b.0/24), so parallel runs on one machine never share an address.
        var a = 20 + Environment.ProcessId % 200;
        var b = 1 + _instances % 250;
        for (var i = 1; i <= nodes; i++)
        {
            var dir = Path.Combine(Root, $"n{i}");
            Directory.CreateDirectory(Path.Combine(dir, "data"));
            Directory.CreateDirectory(Path.Combine(dir, "conf"));
            Nodes.Add(new AgentNode(this, i, dir, $"127.{a}.{b}.{i}", SimulatedClusterServer.FreePort()));
        }
        foreach (var n in Nodes) WriteFiles(n, newCluster: true);
    }

    public AgentNode this[int i] => Nodes[i - 1];

    /// <summary>The rendered files of a node (base scylla.yaml, cassandra-rackdc.properties) and its agent configuration.</summary>
    public void WriteFiles(AgentNode node, bool newCluster, IReadOnlyList<AgentNode>? slots = null, IReadOnlyList<AgentNode>? retired = null)
    {
        slots ??= Nodes;
        File.WriteAllText(Path.Combine(node.Directory, "base-scylla.yaml"),
            $"cluster_name: test\nbroadcast_address: {node.Address}\nworkdir: {node.DataDirectory}\n" +
            $"failure_detector_timeout_in_ms: {FailureDetectorMs}\nseed_provider:\n  - class_name: org.apache.cassandra.locator.SimpleSeedProvider\n" +
            $"    parameters:\n      - seeds: {node.Address}\n");
        File.WriteAllText(Path.Combine(node.Directory, "conf", "cassandra-rackdc.properties"), "dc=dc1\nrack=rack1\nprefer_local=true\n");
        if (!File.Exists(node.CertificatePath)) File.WriteAllText(node.CertificatePath, $"certificate of {node.Slot}, version 1\n");
        node.WriteConfig(new AgentConfig
        {
            Cluster = "test",
            Slot = node.Slot,
            Slots = slots.Select(n => new AgentSlot(n.Slot, "dc1", n.Index - 1, n.Address, n.AgentUrl)).ToList(),
            Retired = (retired ?? []).Select(n => new SlotSpec(n.Slot, "dc1", n.Index - 1, n.Address)).ToList(),
            DataDirectory = node.DataDirectory,
            Entrypoint = [AgentBinaries.StandIn, "--smp", "1", "--seeds", node.Address],
            BaseScyllaYaml = Path.Combine(node.Directory, "base-scylla.yaml"),
            ScyllaConfDirectory = Path.Combine(node.Directory, "conf"),
            NewCluster = newCluster,
            FounderSlot = slots[0].Slot,
            ScyllaApiPort = node.ApiPort,
            Listen = $"{node.Address}:{AgentPort}",
            Security = "none",
            ReplicationFactors = ReplicationFactors,
            FailureDetectorTimeoutMs = FailureDetectorMs,
            PollIntervalMs = 300,
            LeaseTtlMs = 5000, // rounds on a loaded 2-CPU machine can take a second or two: the actor must renew well within it
            PeerTimeoutMs = 1500,
            StopTimeoutMs = 10000,
            RestartOn = [node.CertificatePath], // stands for the node's TLS files: a renewal must restart ScyllaDB
            WatchIntervalMs = 300,
            InstanceId = node.InstanceId,
        });
    }

    /// <summary>Starts every agent, waits until all nodes are Up Normal members, then marks the cluster as no longer new.</summary>
    public void Form()
    {
        foreach (var n in Nodes) n.Start();
        WaitUntil(() => Nodes.All(n => IsUpNormal(n.Address)), TimeSpan.FromSeconds(90), "every node Up Normal");
        WaitUntil(() => Nodes.All(n => n.Identity?.HostId is not null), TimeSpan.FromSeconds(30), "every volume records its host ID");
        // The actor has seen the last join finish: the cluster is settled, not merely up.
        WaitUntil(() => Nodes.Any(n => n.Log.Contains("\"message\":\"converged\"", StringComparison.Ordinal)), TimeSpan.FromSeconds(60),
            "the actor's decision: converged");
        foreach (var n in Nodes) WriteFiles(n, newCluster: false);
    }

    /// <summary>The node whose agent holds the actor lease now, by its /metrics (scylla_agent_is_actor 1).</summary>
    public AgentNode? Actor()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        foreach (var n in Nodes.Where(n => n.Process is { HasExited: false }))
        {
            try
            {
                var metrics = http.GetStringAsync(n.AgentUrl + "metrics").GetAwaiter().GetResult();
                if (metrics.Split('\n').Any(l => l.Trim() == "scylla_agent_is_actor 1")) return n;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
        }
        return null;
    }

    /// <summary>Deletes <paramref name="gone"/>'s slot from the stack: every other node gets the new agent.json, which its
    /// running agent reloads (no restart), as a changed ConfigMap reaches a pod through a whole-directory mount.</summary>
    public void DeleteSlot(AgentNode gone)
    {
        var remaining = Nodes.Where(n => n != gone).ToList();
        var reloads = remaining.ToDictionary(n => n, n => Count(n.Log, "\"event\":\"config-reload\""));
        foreach (var n in remaining) WriteFiles(n, newCluster: false, remaining, [gone]);
        WaitUntil(() => remaining.All(n => Count(n.Log, "\"event\":\"config-reload\"") > reloads[n]), TimeSpan.FromSeconds(30),
            "every remaining agent reloaded its agent.json");
    }

    public static int Count(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>Every node's certificate renewed at once (a CA rotation, or renewals in one `up`), as a mounted Secret
    /// changes under a running pod: the file is replaced by a rename, never edited in place.</summary>
    public void RenewCertificates(int version)
    {
        foreach (var n in Nodes)
        {
            File.WriteAllText(n.CertificatePath + ".new", $"certificate of {n.Slot}, version {version}\n");
            File.Move(n.CertificatePath + ".new", n.CertificatePath, overwrite: true);
        }
    }

    public bool IsUpNormal(string address) =>
        Sim.Members.Any(m => m.Address == address && m.Running && m.State == NodeState.Normal) && Sim.IsLiveNow(address);

    public SimNode? MemberAt(string address) => Sim.Members.LastOrDefault(m => m.Address == address);

    public void WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"not within {timeout.TotalSeconds:0}s: {what}\n{Diagnostics()}");
            Thread.Sleep(100);
        }
    }

    public string Diagnostics() =>
        $"members: {string.Join("; ", Sim.Members.Select(m => $"{m.Address} {m.HostId[..8]} {m.State} running={m.Running}"))}\n" +
        $"accepted: {string.Join("; ", Sim.Accepted)}\nrejected: {string.Join("; ", Sim.Rejected)}\nstarts: {string.Join("; ", Server.Starts)}\n" +
        string.Join("\n", Nodes.Select(n => $"--- {n.Slot} ({n.Address}) log tail:\n{Tail(n.Log, 25)}"));

    private static string Tail(string log, int lines) => string.Join("\n", log.Split('\n').TakeLast(lines));

    public void Dispose()
    {
        foreach (var n in Nodes) n.Kill();
        Server.Dispose();
        if (Environment.GetEnvironmentVariable("AGENT_TESTS_KEEP") is not null) return; // keep the agents' logs to read
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
