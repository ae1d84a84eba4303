using System.Diagnostics;
using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Bench;

/// <summary>The pure decider on a 300-node, 10-datacenter view with a few dead, flapping and retired nodes.</summary>
public sealed class MembershipBench : IBenchmark
{
    public string Name => "membership";

    public string Description => "membership decision core, 300 nodes in 10 datacenters: decisions per second";

    public Task RunAsync(string[] args)
    {
        var t0 = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var slots = Enumerable.Range(0, 300).Select(i => new SlotSpec($"dc{i % 10}-{i / 10}", $"dc{i % 10}", i / 10, $"10.{i % 10}.0.{i / 10 + 1}")).ToList();
        var spec = MembershipSpec.Create(slots.Where(s => s.Ordinal < 29).ToList(), Enumerable.Range(0, 10).ToDictionary(d => $"dc{d}", _ => 3))
            with { Retired = slots.Where(s => s.Ordinal == 29).ToList() };
        ObservedNode Node(SlotSpec s, bool down) => new(s.Address, Guid.NewGuid().ToString(), s.Datacenter, "rack1",
            down ? NodeStatus.Down : NodeStatus.Up, NodeState.Normal);
        var deadSlots = new HashSet<int> { 7, 123, 250 };
        var history = new ObservationHistory(spec.MaxPollGap);
        ClusterView view = null!;
        for (var poll = 0; poll < 12; poll++)
        {
            view = new ClusterView(t0.AddSeconds(5 * poll), slots.Select((s, i) => Node(s, deadSlots.Contains(i))).ToList(),
                slots.Select(s => s.Address).ToList(), []);
            history.Record(view);
        }
        var instances = slots.Select((s, i) => new InstanceView(s.Slot, deadSlots.Contains(i) ? InstancePhase.AwaitingBoot : InstancePhase.Running)).ToList();
        var input = new DecisionInput(spec, view, instances, history, null, view.ObservedAt);

        var first = MembershipDecider.Decide(input);
        for (var i = 0; i < 200; i++) MembershipDecider.Decide(input); // warm-up
        var seconds = args.Contains("--quick") ? 1.0 : 3.0;
        var count = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            MembershipDecider.Decide(input);
            count++;
        }
        var rate = count / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"decisions: {count} in {clock.Elapsed.TotalSeconds:0.00}s = {rate:0} decisions/s ({1e6 / rate:0.0} µs each)");
        Console.WriteLine($"first decision: {first.Actions.Count} actions; next: {first.NextTopologyChange}");
        return Task.CompletedTask;
    }
}
