using System.Diagnostics;
using System.Text.Json;
using ScyllaApocryph.Tests.Agent;

namespace ScyllaApocryph.Bench;

/// <summary>
/// The node agent healing a node: three real agent processes with ScyllaDB stand-ins (the tests' harness), one node
/// SIGKILLed and its volume wiped, its agent restarted; measured from the kill to the replacement's boot instruction
/// (the agent's "boot" log line) and to the new node being Up Normal. Goal: the node marked down (ScyllaDB convicts it
/// failure detector + 2 s after it stopped), plus the grace period, plus one poll.
/// </summary>
public sealed class HealBench : IBenchmark
{
    public string Name => "heal";

    public string Description =>
        $"node agent: kill + wipe -> replacement's boot instruction, failure detector {AgentCluster.FailureDetectorMs} ms " +
        $"(grace {2 * AgentCluster.FailureDetectorMs} ms), poll 300 ms";

    public Task RunAsync(string[] args)
    {
        var rounds = args.Contains("--quick") ? 1 : 3;
        using var cluster = new AgentCluster(3, "bench-heal");
        var formed = Stopwatch.StartNew();
        cluster.Form();
        Console.WriteLine($"cluster of 3 formed from empty volumes in {formed.Elapsed.TotalSeconds:0.0} s");
        var toInstruction = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            var node = cluster[3];
            var old = cluster.MemberAt(node.Address)!.HostId;
            var killedAt = DateTimeOffset.UtcNow;
            node.Kill();
            node.Wipe();
            node.Start();
            cluster.WaitUntil(() => BootAt(node, killedAt) is not null, TimeSpan.FromSeconds(120), "the replacement's boot instruction");
            var instruction = (BootAt(node, killedAt)!.Value - killedAt).TotalSeconds;
            cluster.WaitUntil(() => cluster.MemberAt(node.Address) is { } m && m.HostId != old && cluster.IsUpNormal(node.Address),
                TimeSpan.FromSeconds(120), "the replacement Up Normal");
            var upNormal = (DateTimeOffset.UtcNow - killedAt).TotalSeconds;
            toInstruction.Add(instruction);
            Console.WriteLine($"round {round}: kill -> boot instruction {instruction:0.00} s, kill -> replacement Up Normal {upNormal:0.00} s");
            Console.WriteLine("  " + Phases(cluster, node, killedAt));
            cluster.WaitUntil(() => node.Identity?.HostId == cluster.MemberAt(node.Address)!.HostId, TimeSpan.FromSeconds(60), "settled");
            Thread.Sleep(2000);
        }
        // Measured from the kill, the node must first be marked down (ScyllaDB convicts a node failure_detector_timeout
        // plus one 2 s echo interval after it stopped: the simulator's MarkedDownAfter), then stay down for the grace period.
        var markedDown = cluster.Sim.MarkedDownAfter.TotalSeconds;
        var goal = markedDown + 2 * AgentCluster.FailureDetectorMs / 1000.0 + 0.3;
        Console.WriteLine($"kill -> boot instruction: median {toInstruction.Order().ElementAt(toInstruction.Count / 2):0.00} s; " +
            $"goal {goal:0.0} s = marked down {markedDown:0.0} s (failure detector {AgentCluster.FailureDetectorMs / 1000.0:0.0} s + 2 s echo) + " +
            $"grace {2 * AgentCluster.FailureDetectorMs / 1000.0:0.0} s + one poll 0.3 s");
        return Task.CompletedTask;
    }

    /// <summary>
    /// Where the time went, from the agents' JSON logs (seconds after the kill): the replaced slot's new agent up and
    /// awaiting its instruction; the actor's first decision that saw the node down; its replace decision (executed);
    /// and the actor's round cadence meanwhile (gap between consecutive decisions).
    /// </summary>
    private static string Phases(AgentCluster cluster, AgentNode node, DateTimeOffset killedAt)
    {
        double? At(IEnumerable<(DateTimeOffset Ts, string Line)> lines, Func<string, bool> match) =>
            lines.Where(l => match(l.Line)).Select(l => (double?)(l.Ts - killedAt).TotalSeconds).FirstOrDefault();
        var all = cluster.Nodes.SelectMany(n => n.Log.Split('\n').Where(l => l.StartsWith('{')).Select(l =>
                (Ts: JsonDocument.Parse(l).RootElement.GetProperty("ts").GetDateTimeOffset(), Line: l, Node: n)))
            .Where(l => l.Ts > killedAt).OrderBy(l => l.Ts).ToList();
        var decisions = all.Where(l => l.Line.Contains("\"event\":\"decision\"", StringComparison.Ordinal)).ToList();
        var awaiting = At(all.Where(l => l.Node == node).Select(l => (l.Ts, l.Line)), l => l.Contains("\"event\":\"empty\"", StringComparison.Ordinal));
        var seenDown = At(decisions.Select(l => (l.Ts, l.Line)), l => l.Contains($"slot {node.Slot}", StringComparison.Ordinal) &&
            (l.Contains("first seen down now", StringComparison.Ordinal) || l.Contains(" is down for ", StringComparison.Ordinal)));
        var replace = At(decisions.Select(l => (l.Ts, l.Line)), l => l.Contains("\"executed\":{\"kind\":\"Replace\"", StringComparison.Ordinal));
        var gaps = decisions.Zip(decisions.Skip(1), (a, b) => (b.Ts - a.Ts).TotalSeconds).Order().ToList();
        string F(double? x) => x is { } v ? $"{v:0.00} s" : "?";
        return $"new agent awaiting boot {F(awaiting)}; actor first saw it down {F(seenDown)}; replace decided+sent {F(replace)}; " +
            $"actor decisions {decisions.Count}, median gap {(gaps.Count > 0 ? $"{gaps[gaps.Count / 2]:0.00} s" : "?")}";
    }

    /// <summary>When the node's agent logged starting ScyllaDB as a replacement after <paramref name="after"/>.</summary>
    private static DateTimeOffset? BootAt(AgentNode node, DateTimeOffset after)
    {
        foreach (var line in node.Log.Split('\n').Reverse())
        {
            if (!line.Contains("\"event\":\"boot\"", StringComparison.Ordinal) || !line.Contains("replacing dead host", StringComparison.Ordinal)) continue;
            var ts = JsonDocument.Parse(line).RootElement.GetProperty("ts").GetDateTimeOffset();
            if (ts > after) return ts;
        }
        return null;
    }
}
