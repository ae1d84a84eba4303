using System.Diagnostics;
using System.Text.Json;
using ScyllaApocryph.Tests.Agent;

namespace ScyllaApocryph.Bench;

/// <summary>
/// The node agent healing a node: three real agent processes with ScyllaDB stand-ins (the tests' harness), one node
/// SIGKILLed and its volume wiped, its agent restarted; measured from the kill to the replacement's boot instruction
/// (the agent's "boot" log line) and to the new node being Up Normal. Goal: the grace period plus one poll.
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
            cluster.WaitUntil(() => node.Identity?.HostId == cluster.MemberAt(node.Address)!.HostId, TimeSpan.FromSeconds(60), "settled");
            Thread.Sleep(2000);
        }
        // Measured from the kill, the node must first be seen down (the failure detector), then stay down for the grace period.
        var goal = 3 * AgentCluster.FailureDetectorMs / 1000.0 + 0.3;
        Console.WriteLine($"kill -> boot instruction: median {toInstruction.Order().ElementAt(toInstruction.Count / 2):0.00} s; " +
            $"goal {goal:0.0} s = failure detector {AgentCluster.FailureDetectorMs / 1000.0:0.0} s + grace {2 * AgentCluster.FailureDetectorMs / 1000.0:0.0} s + one poll 0.3 s");
        return Task.CompletedTask;
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
