using ScyllaApocryph.Components.Membership;
using static ScyllaApocryph.Tests.Membership.MembershipHarness;

namespace ScyllaApocryph.Tests.Membership;

/// <summary>The pure decision core on hand-built views: what it does, and what it refuses to do, for each rule.</summary>
public sealed class MembershipDeciderTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ObservedNode Up(SlotSpec s, string? dc = "", string? hostId = null) =>
        new(s.Address, hostId ?? "host-" + s.Slot, dc == "" ? s.Datacenter : dc, "rack1", NodeStatus.Up, NodeState.Normal);

    private static ObservedNode Down(SlotSpec s, string? dc = "", string? hostId = null) => Up(s, dc, hostId) with { Status = NodeStatus.Down };

    private static InstanceView Running(SlotSpec s) => new(s.Slot, InstancePhase.Running);

    /// <summary>The same view polled every 5 s for <paramref name="polls"/> polls (60 s by default: past the 40 s grace period).</summary>
    private static (DecisionInput Input, ObservationHistory History) Observed(MembershipSpec spec, IReadOnlyList<ObservedNode> nodes,
        IReadOnlyList<InstanceView> instances, TopologyIntent? intent = null, int polls = 13)
    {
        var history = new ObservationHistory(spec.MaxPollGap);
        ClusterView view = null!;
        for (var i = 0; i < polls; i++)
        {
            view = new ClusterView(T0.AddSeconds(5 * i), nodes, nodes.Where(n => n.Status == NodeStatus.Up).Select(n => n.Address).ToList(), []);
            history.Record(view);
        }
        return (new DecisionInput(spec, view, instances, history, intent, view.ObservedAt), history);
    }

    private static MembershipDecision Decide(MembershipSpec spec, IReadOnlyList<ObservedNode> nodes, IReadOnlyList<InstanceView> instances,
        TopologyIntent? intent = null, int polls = 13) => MembershipDecider.Decide(Observed(spec, nodes, instances, intent, polls).Input);

    private static void NoDestructiveAction(MembershipDecision d) =>
        Assert.DoesNotContain(d.Actions, a => a.Kind is ActionKind.Remove or ActionKind.Decommission);

    [Fact]
    public void A_member_of_no_slot_the_stack_has_or_deleted_is_never_decommissioned_or_removed_and_is_named_in_a_wait()
    {
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        var strayUp = Slot("dc1", 7);
        var strayDead = Slot("dc1", 8);
        var spec = Spec(slots, ("dc1", 1)); // create/refresh: nothing retired

        var d = Decide(spec, [.. slots.Select(s => Up(s)), Up(strayUp), Down(strayDead)], slots.Select(Running).ToList());

        NoDestructiveAction(d);
        Assert.False(d.Converged);
        var wait = Assert.Single(d.Actions, a => a.Kind == ActionKind.Wait && a.Reason.Contains("no slot the stack has or deleted"));
        Assert.Contains(strayUp.Address, wait.Reason);
        Assert.Contains(strayDead.Address, wait.Reason);
    }

    [Fact]
    public void A_member_of_a_slot_the_stack_deleted_is_still_decommissioned()
    {
        var slots = Enumerable.Range(0, 4).Select(i => Slot("dc1", i)).ToList();
        var spec = Spec(slots.Take(3), ("dc1", 3)) with { Retired = [slots[3]] };

        var d = Decide(spec, slots.Select(s => Up(s)).ToList(), slots.Select(Running).ToList());

        Assert.Equal((ActionKind.Decommission, slots[3].Address), (d.NextTopologyChange!.Kind, d.NextTopologyChange.Address));
    }

    [Fact]
    public void A_deleted_slot_whose_datacenter_is_unknown_is_neither_removed_nor_decommissioned()
    {
        var slots = Enumerable.Range(0, 5).Select(i => Slot("dc1", i)).ToList();
        var spec = Spec(slots.Take(3), ("dc1", 1)) with { Retired = [slots[3], slots[4]] };
        // The snitch lookup failed for both: the observer could not tell their datacenter.
        var nodes = slots.Take(3).Select(s => Up(s)).Append(Up(slots[3], dc: null)).Append(Down(slots[4], dc: null)).ToList();

        var d = Decide(spec, nodes, slots.Take(4).Select(Running).ToList());

        NoDestructiveAction(d);
        Assert.Equal(2, d.Actions.Count(a => a.Kind == ActionKind.Wait && a.Reason.Contains("datacenter is unknown")));
    }

    [Fact]
    public void A_deleted_slot_in_a_datacenter_the_stack_gives_no_rf_is_neither_removed_nor_decommissioned()
    {
        var keep = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        var gone = new[] { Slot("dc2", 0), Slot("dc2", 1) };
        var spec = Spec(keep, ("dc1", 3)) with { Retired = gone }; // no entry for dc2: not "RF 0"

        var d = Decide(spec, [.. keep.Select(s => Up(s)), Up(gone[0]), Down(gone[1])], keep.Append(gone[0]).Select(Running).ToList());

        NoDestructiveAction(d);
        Assert.Equal(2, d.Actions.Count(a => a.Kind == ActionKind.Wait && a.Reason.Contains("no replication factor for dc2")));

        var lowered = Decide(spec with { ReplicationFactors = new Dictionary<string, int> { ["dc1"] = 3, ["dc2"] = 0 } },
            [.. keep.Select(s => Up(s)), Down(gone[0]), Down(gone[1])], keep.Select(Running).ToList());
        Assert.Equal(ActionKind.Remove, lowered.NextTopologyChange!.Kind);
    }
}
