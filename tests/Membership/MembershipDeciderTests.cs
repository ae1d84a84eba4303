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

    [Fact]
    public void A_preview_shows_the_replace_a_just_downed_node_will_get_while_acting_waits_for_the_grace_period()
    {
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        var spec = Spec(slots, ("dc1", 3));
        var (input, _) = Observed(spec, [Up(slots[0]), Up(slots[1]), Down(slots[2])],
            [Running(slots[0]), Running(slots[1]), new InstanceView(slots[2].Slot, InstancePhase.AwaitingBoot)], polls: 3);

        var acting = MembershipDecider.Decide(input);
        var preview = MembershipDecider.Decide(input with { Preview = true });

        Assert.Null(acting.NextTopologyChange);
        Assert.Contains(acting.Actions, a => a.Reason.Contains("not dead yet"));
        Assert.Equal(ActionKind.Replace, preview.NextTopologyChange!.Kind);
        Assert.Contains("once down ≥ 40s (down for 10s so far)", preview.NextTopologyChange.Reason);
    }

    [Fact]
    public void A_zero_token_node_does_not_count_as_a_replica_when_checking_the_rf()
    {
        var data = new[] { Slot("dc1", 0), Slot("dc1", 1) };
        var arbiter = Slot("dc1", 2, zeroToken: true);
        var others = new[] { Slot("dc2", 0), Slot("dc3", 0) };
        var spec = Spec([data[0], arbiter, .. others], ("dc1", 2)) with { Retired = [data[1]] };

        var d = Decide(spec, [Up(data[0]), Down(data[1]), Up(arbiter), .. others.Select(s => Up(s))],
            new[] { data[0], arbiter }.Concat(others).Select(Running).ToList());

        NoDestructiveAction(d);
        Assert.Contains(d.Actions, a => a.Reason.Contains("1 node(s) would remain in dc1, RF is 2"));
    }

    [Fact]
    public void A_deleted_arbiter_needs_no_rf_to_leave()
    {
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        var arbiter = Slot("arbiter", 0, zeroToken: true);
        var spec = Spec(slots, ("dc1", 3)) with { Retired = [arbiter] }; // no RF entry for the arbiter's datacenter

        var d = Decide(spec, [.. slots.Select(s => Up(s)), Up(arbiter)], slots.Select(Running).ToList());

        Assert.Equal((ActionKind.Decommission, arbiter.Address), (d.NextTopologyChange!.Kind, d.NextTopologyChange.Address));
        Assert.Contains("zero-token", d.NextTopologyChange.Reason);
    }

    [Fact]
    public void A_stale_view_never_leads_to_a_remove_or_decommission()
    {
        var slots = Enumerable.Range(0, 5).Select(i => Slot("dc1", i)).ToList();
        var spec = Spec(slots.Take(3), ("dc1", 1)) with { Retired = [slots[3], slots[4]] };
        var (input, _) = Observed(spec, [.. slots.Take(4).Select(s => Up(s)), Down(slots[4])], slots.Take(4).Select(Running).ToList());
        Assert.Equal(ActionKind.Remove, MembershipDecider.Decide(input).NextTopologyChange!.Kind); // fresh: it would act

        var stale = MembershipDecider.Decide(input with { Now = input.View.ObservedAt + spec.MaxViewAge + TimeSpan.FromSeconds(1) });

        NoDestructiveAction(stale);
        Assert.Contains("observe again before acting", Assert.Single(stale.Actions).Reason);
    }

    [Fact]
    public void While_observers_disagree_about_a_node_no_topology_change_is_made()
    {
        var slots = Enumerable.Range(0, 4).Select(i => Slot("dc1", i)).ToList();
        var spec = Spec(slots.Take(3), ("dc1", 3)) with { Retired = [slots[3]] };
        // slot 0 is cut off: it sees itself live, its peers see it down; the merged view counts it up.
        var nodes = slots.Select(s => Up(s)).ToList();
        nodes[0] = nodes[0] with { Disputed = true };

        var d = Decide(spec, nodes, slots.Select(Running).ToList());

        Assert.Null(d.NextTopologyChange);
        Assert.False(d.Converged);
        Assert.Contains(slots[0].Address, Assert.Single(d.Actions).Reason);
        Assert.Contains("observers disagree", d.Actions[0].Reason);
    }

    // ---- ScyllaDB 2025.1 bans ignored nodes for good (service/storage_service.cc at scylla-2025.1.4) ----

    [Fact]
    public void A_replace_never_ignores_another_down_node_whose_instance_still_has_its_data()
    {
        var slots = Enumerable.Range(0, 5).Select(i => Slot("dc1", i)).ToList();
        var spec = Spec(slots, ("dc1", 3));
        var instances = slots.Select(s => s == slots[1] ? new InstanceView(s.Slot, InstancePhase.AwaitingBoot) : Running(s)).ToList();

        // slot 1 came back empty; slot 2 is down too, but its instance runs on its data (a VM rebooting): it may come back.
        var d = Decide(spec, [Up(slots[0]), Down(slots[1]), Down(slots[2]), Up(slots[3]), Up(slots[4])], instances);

        Assert.DoesNotContain(d.Actions, a => a.IsTopologyChange);
        Assert.Contains(d.Actions, a => a.Kind == ActionKind.Wait && a.Reason.Contains(slots[2].Address) && a.Reason.Contains("may come back"));
    }

    [Fact]
    public void A_replace_ignores_another_down_node_only_once_its_data_is_confirmed_lost()
    {
        var slots = Enumerable.Range(0, 5).Select(i => Slot("dc1", i)).ToList();
        var spec = Spec(slots, ("dc1", 3));
        var instances = slots.Where(s => s != slots[2]) // slot 2's instance is gone with its volume
            .Select(s => s == slots[1] ? new InstanceView(s.Slot, InstancePhase.AwaitingBoot) : Running(s)).ToList();

        var d = Decide(spec, [Up(slots[0]), Down(slots[1]), Down(slots[2]), Up(slots[3]), Up(slots[4])], instances);

        var replace = Assert.Single(d.Actions, a => a.Kind == ActionKind.Replace);
        Assert.Equal(["host-dc1-2"], replace.IgnoreHostIds);
    }

    [Fact]
    public void A_down_node_whose_host_id_was_never_observed_is_never_put_in_an_ignore_list_as_a_placeholder()
    {
        var slots = Enumerable.Range(0, 5).Select(i => Slot("dc1", i)).ToList();
        var spec = Spec(slots, ("dc1", 3));
        var instances = slots.Where(s => s != slots[2]).Select(s => s == slots[1] ? new InstanceView(s.Slot, InstancePhase.AwaitingBoot) : Running(s)).ToList();
        var unknown = Down(slots[2]) with { HostId = null };

        var d = Decide(spec, [Up(slots[0]), Down(slots[1]), unknown, Up(slots[3]), Up(slots[4])], instances);

        Assert.DoesNotContain(d.Actions, a => a.IsTopologyChange);
        Assert.DoesNotContain(d.Actions, a => a.IgnoreHostIds?.Any(id => id.StartsWith('(')) == true);
        Assert.Contains(d.Actions, a => a.Kind == ActionKind.Wait && a.Reason.Contains("host ID was never observed"));
    }

    [Fact]
    public void A_removenode_never_ignores_a_down_member_of_no_known_slot()
    {
        var slots = Enumerable.Range(0, 5).Select(i => Slot("dc1", i)).ToList();
        var stray = Slot("dc1", 9);
        var spec = Spec(slots.Take(4), ("dc1", 2)) with { Retired = [slots[4]] };

        var d = Decide(spec, [.. slots.Take(4).Select(s => Up(s)), Down(slots[4]), Down(stray)], slots.Take(4).Select(Running).ToList());

        Assert.DoesNotContain(d.Actions, a => a.IsTopologyChange);
        Assert.Contains(d.Actions, a => a.Kind == ActionKind.Wait && a.Reason.Contains(stray.Address) && a.Reason.Contains("may come back"));
    }

    [Fact]
    public void Losing_the_majority_points_to_the_2025_1_recovery_procedure_not_the_stable_one()
    {
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();

        var d = Decide(Spec(slots, ("dc1", 3)), [Up(slots[0]), Down(slots[1]), Down(slots[2])], slots.Select(Running).ToList());

        var refusal = d.Refusal!.Reason;
        Assert.Contains("/manual/branch-2025.1/troubleshooting/handling-node-failures.html#manual-recovery-procedure", refusal);
        Assert.DoesNotContain("/stable/", refusal);
        Assert.Contains("RECOVERY", refusal);
        Assert.Contains("tablets", refusal);
    }

    /// <summary>
    /// Four dc1 members after a removenode of another that ignored slot 3 (lost with it, banned for good, still listed):
    /// slot 3 is no voter (service/storage_service.cc at scylla-2025.1.4, raft_removenode: set_voters_status(ignored_ids,
    /// can_vote::no)). Slot 2 crashes meanwhile. Voters 0-2: two of three up, a majority; counting slot 3, two of four.
    /// </summary>
    private static (MembershipSpec Spec, List<ObservedNode> Nodes, List<InstanceView> Instances) AfterARemovenodeThatIgnoredSlot3()
    {
        var slots = Enumerable.Range(0, 4).Select(i => Slot("dc1", i)).ToList();
        var spec = Spec(slots.Take(3), ("dc1", 2)) with { Retired = [slots[3]] };
        return (spec, [Up(slots[0]), Up(slots[1]), Down(slots[2]), Down(slots[3])], [.. slots.Take(3).Select(Running)]);
    }

    [Fact]
    public void A_member_an_earlier_removenode_ignored_is_banned_and_not_counted_as_a_voter_for_the_majority()
    {
        var (spec, nodes, instances) = AfterARemovenodeThatIgnoredSlot3();
        var (input, _) = Observed(spec, nodes, instances);

        var banned = MembershipDecider.Decide(input with { Banned = ["host-dc1-3"] });
        var unknown = MembershipDecider.Decide(input);

        Assert.Null(banned.Refusal);
        Assert.Contains("2 of 4 voters are down", unknown.Refusal!.Reason); // a ban it cannot know of: it errs towards refusing
    }

    [Fact]
    public void A_removenode_that_returned_bans_its_target_and_its_ignored_nodes_but_one_that_may_not_have_arrived_bans_none()
    {
        var (spec, nodes, instances) = AfterARemovenodeThatIgnoredSlot3();
        var slot4 = Slot("dc1", 4);
        var spec5 = spec with { Retired = [.. spec.Retired, slot4] };
        var listed = nodes.Append(Down(slot4)).ToList(); // slot 4: the target, still listed while the removal finishes
        var returned = new TopologyIntent(ActionKind.Remove, null, slot4.Address, "host-dc1-4", T0, Issued: true, IgnoreHostIds: ["host-dc1-3"]);

        var done = MembershipDecider.Decide(Observed(spec5, listed, instances, returned).Input);
        var unsure = MembershipDecider.Decide(Observed(spec5, listed, instances, returned with { Issued = false }).Input);

        Assert.Null(done.Refusal);
        Assert.Contains("3 of 5 voters are down", unsure.Refusal!.Reason);
        Assert.Equal(["host-dc1-4", "host-dc1-3"], returned.BannedHostIds());
        Assert.Empty((returned with { Kind = ActionKind.Decommission }).BannedHostIds());
    }
}

public sealed class MembershipIntentTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ObservedNode Node(SlotSpec s, NodeStatus status, string? hostId = null) =>
        new(s.Address, hostId ?? "host-" + s.Slot, s.Datacenter, "rack1", status, NodeState.Normal);

    /// <summary>A reconciler that has polled <paramref name="polls"/> times, 5 s apart, ending at <paramref name="now"/>.</summary>
    private static DecisionInput Input(MembershipSpec spec, IReadOnlyList<ObservedNode> nodes, IReadOnlyList<InstanceView> instances,
        TopologyIntent? intent, DateTimeOffset now, int polls)
    {
        var history = new ObservationHistory(spec.MaxPollGap);
        ClusterView view = null!;
        for (var i = polls - 1; i >= 0; i--)
        {
            view = new ClusterView(now.AddSeconds(-5 * i), nodes, nodes.Where(n => n.Status == NodeStatus.Up).Select(n => n.Address).ToList(), []);
            history.Record(view);
        }
        return new DecisionInput(spec, view, instances, history, intent, now);
    }

    /// <summary>Four dc1 slots, slot 3 deleted from the stack and dead; RF 3.</summary>
    private static (MembershipSpec Spec, List<ObservedNode> Nodes, List<InstanceView> Instances, TopologyIntent Remove) DeadRetired()
    {
        var slots = Enumerable.Range(0, 4).Select(i => Slot("dc1", i)).ToList();
        var spec = Spec(slots.Take(3), ("dc1", 3)) with { Retired = [slots[3]] };
        var nodes = slots.Take(3).Select(s => Node(s, NodeStatus.Up)).Append(Node(slots[3], NodeStatus.Down)).ToList();
        var intent = new TopologyIntent(ActionKind.Remove, null, slots[3].Address, "host-dc1-3", T0, Issued: false);
        return (spec, nodes, slots.Take(3).Select(s => new InstanceView(s.Slot, InstancePhase.Running)).ToList(), intent);
    }

    [Fact]
    public void An_unacknowledged_removenode_is_not_redriven_by_a_reconciler_that_has_not_yet_seen_the_node_dead_for_the_grace_period()
    {
        var (spec, nodes, instances, intent) = DeadRetired();
        // A new reconciler after a crash: the intent is old, but this reconciler has seen the node down for one poll only.
        var d = MembershipDecider.Decide(Input(spec, nodes, instances, intent, T0.AddMinutes(10), polls: 1));

        Assert.Null(d.NextTopologyChange);
        Assert.Equal(IntentOutcome.Settled, d.Intent);
        Assert.Contains(d.Actions, a => a.Reason.Contains("less than the 40s grace period"));
    }

    [Fact]
    public void An_unacknowledged_removenode_is_not_redriven_when_the_datacenter_would_now_fall_below_its_rf()
    {
        var (spec, nodes, instances, intent) = DeadRetired();
        var raised = spec with { ReplicationFactors = new Dictionary<string, int> { ["dc1"] = 4 } };

        var d = MembershipDecider.Decide(Input(raised, nodes, instances, intent, T0.AddMinutes(10), polls: 13));

        Assert.Null(d.NextTopologyChange);
        Assert.Contains(d.Actions, a => a.Reason.Contains("lower the RF of dc1"));
    }

    [Fact]
    public void An_unacknowledged_removenode_that_passes_every_gate_again_is_resumed()
    {
        var (spec, nodes, instances, intent) = DeadRetired();

        var d = MembershipDecider.Decide(Input(spec, nodes, instances, intent, T0.AddMinutes(10), polls: 13));

        Assert.Equal(IntentOutcome.Redrive, d.Intent);
        Assert.Equal((ActionKind.Remove, "host-dc1-3"), (d.NextTopologyChange!.Kind, d.NextTopologyChange.HostId));
        Assert.StartsWith("resuming", d.NextTopologyChange.Reason);
    }

    [Fact]
    public void An_unacknowledged_removenode_without_a_trace_is_held_while_it_could_still_show()
    {
        var (spec, nodes, instances, intent) = DeadRetired();

        var d = MembershipDecider.Decide(Input(spec, nodes, instances, intent, T0.AddSeconds(30), polls: 13));

        Assert.Equal(IntentOutcome.Pending, d.Intent);
        Assert.Null(d.NextTopologyChange);
        Assert.Contains("shows no trace yet", Assert.Single(d.Actions).Reason);
    }

    [Fact]
    public void An_acknowledged_removenode_expires_once_it_could_have_shown_and_the_slot_is_judged_afresh()
    {
        var (spec, nodes, instances, intent) = DeadRetired();
        var issued = intent with { Issued = true };

        Assert.Equal(IntentOutcome.Pending, MembershipDecider.Decide(Input(spec, nodes, instances, issued, T0 + spec.OperationVisibleWithin, 13)).Intent);
        var later = MembershipDecider.Decide(Input(spec, nodes, instances, issued, T0 + spec.OperationVisibleWithin + TimeSpan.FromSeconds(5), 13));
        Assert.Equal(IntentOutcome.Settled, later.Intent);
    }

    private static (MembershipSpec Spec, List<ObservedNode> Nodes, SlotSpec New) ScaleUp()
    {
        var slots = Enumerable.Range(0, 4).Select(i => Slot("dc1", i)).ToList();
        return (Spec(slots, ("dc1", 3)), slots.Take(3).Select(s => Node(s, NodeStatus.Up)).ToList(), slots[3]);
    }

    private static List<InstanceView> Instances(SlotSpec newSlot, InstancePhase? phase) =>
        Enumerable.Range(0, 3).Select(i => new InstanceView(Slot("dc1", i).Slot, InstancePhase.Running))
            .Concat(phase is { } p ? [new InstanceView(newSlot.Slot, p)] : []).ToList();

    [Fact]
    public void An_unacknowledged_join_whose_instance_is_gone_is_settled_not_pending_forever()
    {
        var (spec, nodes, slot) = ScaleUp();
        var join = new TopologyIntent(ActionKind.Join, slot.Slot, slot.Address, null, T0, Issued: false);

        var d = MembershipDecider.Decide(Input(spec, nodes, Instances(slot, null), join, T0.AddMinutes(1), 13));

        Assert.Equal(IntentOutcome.Settled, d.Intent);
        Assert.Contains(d.Actions, a => a.Reason.Contains($"slot {slot.Slot} has no instance yet"));
    }

    [Fact]
    public void An_issued_boot_stays_the_operation_in_flight_until_its_node_shows_up_or_the_boot_timeout_passes()
    {
        var (spec, nodes, slot) = ScaleUp();
        var join = new TopologyIntent(ActionKind.Join, slot.Slot, slot.Address, null, T0, Issued: true);
        var running = Instances(slot, InstancePhase.Running);

        var slow = MembershipDecider.Decide(Input(spec, nodes, running, join, T0.AddMinutes(5), 13));
        Assert.Equal(IntentOutcome.Pending, slow.Intent);
        Assert.Contains("no new node shows", Assert.Single(slow.Actions).Reason);

        var appeared = nodes.Append(Node(slot, NodeStatus.Up)).ToList();
        Assert.Equal(IntentOutcome.Settled, MembershipDecider.Decide(Input(spec, appeared, running, join, T0.AddMinutes(5), 13)).Intent);
        Assert.Equal(IntentOutcome.Settled, MembershipDecider.Decide(Input(spec, nodes, Instances(slot, InstancePhase.AwaitingBoot), join,
            T0.AddMinutes(5), 13)).Intent);
        Assert.Equal(IntentOutcome.Settled, MembershipDecider.Decide(Input(spec, nodes, running, join, T0 + spec.BootTimeout + TimeSpan.FromSeconds(1), 13)).Intent);
    }
}
