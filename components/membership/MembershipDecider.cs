namespace ScyllaApocryph.Components.Membership;

/// <summary>
/// The pure decision core: desired slots + observed view + instances + history (+ a recorded intent) in,
/// ordered actions with reasons out. The gates run in a fixed order and each one can stop the rest:
/// stale view -> Raft majority -> pending intent -> operation in flight -> observers disagree -> per-slot analysis.
/// </summary>
public static class MembershipDecider
{
    /// <summary>
    /// Where an operator goes when the majority is gone: the 2025.1 manual's procedure (docs/troubleshooting/
    /// handling-node-failures.rst at scylla-2025.1.4: RECOVERY mode, not supported once any keyspace uses tablets). The
    /// "stable" manual describes 2025.2's recovery_leader, which 2025.1 lacks.
    /// </summary>
    public const string RecoveryProcedure =
        "https://docs.scylladb.com/manual/branch-2025.1/troubleshooting/handling-node-failures.html#manual-recovery-procedure";

    public static MembershipDecision Decide(DecisionInput input)
    {
        var (spec, view, _, history, intent, now, _, _) = input;

        // Gate 1: a stale or empty view is no basis for anything destructive, nor for booting nodes.
        if (view.Reachable.Count == 0)
            return Only(Wait("no node's REST API answered: the cluster cannot be observed"), intent);
        var age = now - view.ObservedAt;
        if (age > spec.MaxViewAge)
            return Only(Wait($"the view is {Fmt(age)} old (limit {Fmt(spec.MaxViewAge)}): observe again before acting"), intent);

        var slotsByAddress = spec.Slots.ToDictionary(s => s.Address, StringComparer.Ordinal);
        var down = view.Nodes.Where(n => n.Status == NodeStatus.Down).ToList();

        // Gate 2: every topology change needs a Raft majority of the voters: every member (arbiters included) but those
        // banned, which ScyllaDB 2025.1 made non-voters (see TopologyIntent.BannedHostIds). A ban we cannot know of is counted as
        // a voter, which can only make this gate refuse where ScyllaDB would not, never the other way round.
        var banned = new HashSet<string>([.. input.Banned ?? [], .. intent?.BannedHostIds() ?? []], StringComparer.Ordinal);
        var voters = view.Nodes.Where(n => n.HostId is null || !banned.Contains(n.HostId)).ToList();
        var downVoters = voters.Where(n => n.Status == NodeStatus.Down).ToList();
        if (voters.Count > 0 && 2 * (voters.Count - downVoters.Count) <= voters.Count)
        {
            var missing = string.Join(", ", downVoters.Select(n => Describe(n, slotsByAddress, history)));
            var nonVoters = view.Nodes.Count - voters.Count;
            return Only(new MembershipAction(ActionKind.Refuse,
                $"Raft majority lost: {downVoters.Count} of {voters.Count} voters are down ({missing})" +
                (nonVoters > 0 ? $", not counting {nonVoters} banned member(s)" : "") + ". No topology or schema change " +
                "can be made and none will be attempted (ScyllaDB would time each one out after a minute: \"there is no raft quorum\"). " +
                "Bring the missing nodes back; if they are lost for good, follow ScyllaDB 2025.1's manual recovery procedure " +
                $"(RECOVERY mode; it does not support keyspaces with tablets): {RecoveryProcedure}"), intent);
        }

        // Gate 3: a recorded intent is judged against the cluster before anything new is decided.
        var outcome = IntentOutcome.None;
        if (intent is not null)
        {
            var (judged, action) = JudgeIntent(input, intent);
            if (action is not null) return new MembershipDecision([action], false, judged);
            outcome = judged;
        }

        // Gate 4: one topology operation at a time.
        var busy = view.Nodes.FirstOrDefault(n => n.State != NodeState.Normal);
        if (busy is not null)
            return new MembershipDecision([Wait($"{Describe(busy, slotsByAddress, history)} is {busy.State.ToString().ToLowerInvariant()}: " +
                "one topology operation at a time")], false, outcome == IntentOutcome.Redrive ? IntentOutcome.Settled : outcome);

        // Gate 5: observers disagree about who is live. Such a node may be down for the rest of the cluster (a partition),
        // and every topology operation needs the others up (or dead and ignored): wait until the views agree.
        var disputed = view.Nodes.Where(n => n.Disputed).ToList();
        if (disputed.Count > 0)
            return new MembershipDecision([Wait($"observers disagree about {string.Join(", ", disputed.Select(n => Describe(n, slotsByAddress, history)))} " +
                "(live for some, down for others: a partition?): no topology change until they agree")], false,
                outcome == IntentOutcome.Redrive ? IntentOutcome.Settled : outcome);

        var actions = Analyse(input, slotsByAddress, down);
        if (outcome == IntentOutcome.Redrive)
        {
            // An intent that never reached the cluster is re-driven only if the full analysis, every gate included,
            // decides the same operation again now; otherwise it is dropped.
            var next = actions.FindIndex(a => a.IsTopologyChange);
            if (next >= 0 && actions[next] is var a && a.Kind == intent!.Kind && a.Address == intent.Address && a.HostId == intent.HostId)
                actions[next] = a with { Reason = $"resuming the recorded {a.Kind.ToString().ToLowerInvariant()}, which the cluster shows no sign of: {a.Reason}" };
            else
                outcome = IntentOutcome.Settled;
        }
        return new MembershipDecision(actions, actions.Count == 0, outcome);
    }

    private static List<MembershipAction> Analyse(DecisionInput input, Dictionary<string, SlotSpec> slotsByAddress, List<ObservedNode> down)
    {
        var (spec, view, instances, history, _, _, _, _) = input;
        var instanceBySlot = instances.ToDictionary(i => i.Slot, StringComparer.Ordinal);
        var byAddress = view.Nodes.ToDictionary(n => n.Address, StringComparer.Ordinal);
        var retiredByAddress = new Dictionary<string, SlotSpec>(StringComparer.Ordinal);
        foreach (var r in spec.Retired) retiredByAddress.TryAdd(r.Address, r);
        // Replicas per datacenter: members with a known datacenter that are not zero-token (arbiters own no data).
        // A member of no known slot might be zero-token, so it is not counted either: counting too few only makes us wait.
        var tokenOwners = view.Nodes
            .Where(n => n.Datacenter is not null)
            .Where(n => (slotsByAddress.GetValueOrDefault(n.Address) ?? retiredByAddress.GetValueOrDefault(n.Address)) is { ZeroToken: false })
            .GroupBy(n => n.Datacenter!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        bool IsDead(ObservedNode n) => n.Status == NodeStatus.Down && history.DownFor(n.Address) >= spec.GracePeriod;
        // A preview has watched for one poll only, so nothing is dead yet: it shows what up will do once the grace period
        // is met, saying so, instead of a wait that up would not end with.
        bool DeadOrPreviewed(ObservedNode n) => IsDead(n) || input.Preview && n.Status == NodeStatus.Down;
        string Once(ObservedNode n) => IsDead(n) ? "" : $"once down ≥ {Fmt(spec.GracePeriod)} (" +
            (history.DownFor(n.Address) == TimeSpan.Zero ? "first seen down now" : $"down for {Fmt(history.DownFor(n.Address))} so far") + "), ";
        string? HostIdOf(ObservedNode n) => n.HostId ?? history.LastHostId(n.Address);

        var replaces = new List<MembershipAction>();
        var removes = new List<MembershipAction>();
        var joins = new List<MembershipAction>();
        var decommissions = new List<MembershipAction>();
        var waits = new List<MembershipAction>();

        foreach (var slot in spec.Slots.OrderBy(s => s.Datacenter, StringComparer.Ordinal).ThenBy(s => s.Ordinal))
        {
            var node = byAddress.GetValueOrDefault(slot.Address);
            var phase = instanceBySlot.TryGetValue(slot.Slot, out var inst) ? inst.Phase : InstancePhase.Absent;
            if (node is null)
            {
                switch (phase)
                {
                    case InstancePhase.AwaitingBoot:
                        joins.Add(new MembershipAction(ActionKind.Join,
                            $"slot {slot.Slot} ({slot.Datacenter}) has an empty instance and no member: boot it as a new node",
                            slot.Slot, slot.Address));
                        break;
                    case InstancePhase.Absent:
                        waits.Add(Wait($"slot {slot.Slot} has no instance yet: waiting for it to be created", slot));
                        break;
                    default:
                        waits.Add(Wait($"slot {slot.Slot}'s instance runs but is not a member yet: waiting for it to appear", slot));
                        break;
                }
                continue;
            }
            if (node.Status == NodeStatus.Up)
            {
                // Never act on a node that is up. An empty or missing instance behind a live node means gossip has
                // not noticed yet (failure detector lag), so the slot is not settled either.
                if (phase != InstancePhase.Running)
                    waits.Add(Wait($"slot {slot.Slot}'s instance is {phase} but the node is still seen up: waiting for gossip to agree", slot));
                continue;
            }
            var downFor = history.DownFor(node.Address);
            if (phase != InstancePhase.AwaitingBoot)
            {
                waits.Add(Wait(phase == InstancePhase.Running
                    ? $"slot {slot.Slot} is down for {Fmt(downFor)} but its instance still has its data: waiting for it to restart"
                    : $"slot {slot.Slot} is down for {Fmt(downFor)} and has no instance: waiting for it to be recreated", slot));
                continue;
            }
            if (!DeadOrPreviewed(node))
            {
                waits.Add(Wait($"slot {slot.Slot} is down for {Fmt(downFor)}, less than the {Fmt(spec.GracePeriod)} grace period " +
                    $"(seen over {history.Polls} polls): not dead yet", slot));
                continue;
            }
            if (HostIdOf(node) is not { } hostId)
            {
                waits.Add(Wait($"slot {slot.Slot} is dead but its host ID was never observed: cannot replace it safely", slot));
                continue;
            }
            if (IgnoreList(node) is not { } ignore) continue;
            replaces.Add(new MembershipAction(ActionKind.Replace, IsDead(node)
                ? $"slot {slot.Slot} came back empty and its host {hostId} has been down for {Fmt(downFor)}: boot it with " +
                  $"replace_node_first_boot={hostId}"
                : $"slot {slot.Slot} came back empty and its host {hostId} is down: {Once(node)}boot it with replace_node_first_boot={hostId}",
                slot.Slot, slot.Address, hostId, ignore));
        }

        // Members of slots the stack deleted: decommission if up, remove if dead. Only those: a member that belongs to
        // no slot the stack has or retired (a stray, or one whose deletion this run does not know about) is left alone.
        var strays = new List<ObservedNode>();
        var removed = new List<(ObservedNode Node, SlotSpec Slot)>();
        foreach (var node in view.Nodes)
        {
            if (slotsByAddress.ContainsKey(node.Address)) continue;
            if (retiredByAddress.TryGetValue(node.Address, out var retiredSlot)) removed.Add((node, retiredSlot));
            else strays.Add(node);
        }
        if (strays.Count > 0)
            waits.Add(Wait($"{string.Join(", ", strays.Select(n => Describe(n, slotsByAddress, history)))}: member(s) of no slot the stack " +
                "has or deleted; nothing is done to them (add their slots back and delete them from the stack, or remove them by hand)"));
        foreach (var (node, retiredSlot) in removed.OrderByDescending(r => r.Slot.Ordinal).ThenByDescending(r => r.Node.Address, StringComparer.Ordinal))
        {
            string rfNote;
            if (retiredSlot.ZeroToken)
            {
                rfNote = "a zero-token node owns no data";
            }
            else
            {
                // The RF check needs the node's datacenter and that datacenter's RF; without either, nothing is safe.
                if (node.Datacenter is not { } dc)
                {
                    waits.Add(Wait($"{Describe(node, slotsByAddress, history)} was deleted from the stack but its datacenter is unknown " +
                        "(no node's snitch answered for it): the replication factor cannot be checked, so it is neither removed nor decommissioned"));
                    continue;
                }
                if (!spec.ReplicationFactors.TryGetValue(dc, out var rf))
                {
                    waits.Add(Wait($"{Describe(node, slotsByAddress, history)} was deleted from the stack but the stack gives no replication " +
                        $"factor for {dc}: once no keyspace replicates there (ALTER KEYSPACE ... '{dc}': 0), list it under membership.retiredDatacenters"));
                    continue;
                }
                var remaining = tokenOwners.GetValueOrDefault(dc) - 1;
                rfNote = $"{remaining} node(s) would remain in {dc}, RF is {rf}";
                if (remaining < rf)
                {
                    waits.Add(Wait($"{Describe(node, slotsByAddress, history)} was deleted from the stack but {rfNote}: lower the RF of {dc} first"));
                    continue;
                }
            }
            if (node.Status == NodeStatus.Up)
            {
                decommissions.Add(new MembershipAction(ActionKind.Decommission,
                    $"{Describe(node, slotsByAddress, history)} was deleted from the stack and is up: decommission it ({rfNote})",
                    null, node.Address, node.HostId));
            }
            else if (!DeadOrPreviewed(node))
            {
                waits.Add(Wait($"{Describe(node, slotsByAddress, history)} was deleted from the stack and is down for " +
                    $"{Fmt(history.DownFor(node.Address))}, less than the {Fmt(spec.GracePeriod)} grace period"));
            }
            else if (HostIdOf(node) is not { } hid)
            {
                waits.Add(Wait($"{Describe(node, slotsByAddress, history)} was deleted from the stack and is dead, but its host ID was " +
                    "never observed: it cannot be removed safely"));
            }
            else if (IgnoreList(node) is { } ignore)
            {
                removes.Add(new MembershipAction(ActionKind.Remove, IsDead(node)
                    ? $"{Describe(node, slotsByAddress, history)} was deleted from the stack and has been dead for " +
                      $"{Fmt(history.DownFor(node.Address))}: removenode ({rfNote})"
                    : $"{Describe(node, slotsByAddress, history)} was deleted from the stack and is down: {Once(node)}removenode ({rfNote})",
                    null, node.Address, hid, ignore));
            }
        }

        // New nodes cannot join, and decommission streams to everyone, while any node is down.
        var actions = new List<MembershipAction>();
        actions.AddRange(replaces);
        actions.AddRange(removes);
        if (down.Count == 0)
        {
            actions.AddRange(joins);
            actions.AddRange(decommissions);
        }
        else if (joins.Count + decommissions.Count > 0)
        {
            waits.Add(Wait($"{joins.Count} join(s) and {decommissions.Count} decommission(s) wait until no node is down " +
                $"({string.Join(", ", down.Select(n => n.Address))} down)"));
        }
        actions.AddRange(waits);
        return actions;

        // ScyllaDB 2025.1 bans every node named in ignore_nodes / ignore_dead_nodes_for_replace for good, from the start of
        // the operation (service/storage_service.cc raft_removenode and topology_state_load at scylla-2025.1.4: ignored
        // nodes become non-voters and are banned; they can never rejoin). So another down member is ignored only when it
        // is confirmed lost: dead past the grace period AND its data is gone for good (its slot was deleted from the stack,
        // or its slot's instance is gone or came back empty). A member whose instance still runs on its data (a VM that
        // reboots), or a member of no known slot, may come back: the operation waits for it instead. A host ID never
        // observed is never guessed: the operation waits too.
        IReadOnlyList<string>? IgnoreList(ObservedNode target)
        {
            var ids = new List<string>();
            foreach (var other in down.Where(n => n.Address != target.Address))
            {
                var why = !DeadOrPreviewed(other) ? "is also down but not yet dead"
                    : !ConfirmedLost(other) ? "is also down but may come back (its instance still has its data, or it belongs to no slot " +
                        "the stack has or deleted), and ScyllaDB bans an ignored node for good"
                    : (other.HostId ?? history.LastHostId(other.Address)) is null ? "is also down and its host ID was never observed"
                    : null;
                if (why is not null)
                {
                    waits.Add(Wait($"{Describe(target, slotsByAddress, history)} must wait: {other.Address} {why}, so it cannot be ignored"));
                    return null;
                }
                ids.Add(other.HostId ?? history.LastHostId(other.Address)!);
            }
            return ids;
        }

        bool ConfirmedLost(ObservedNode n)
        {
            if (retiredByAddress.ContainsKey(n.Address) && !slotsByAddress.ContainsKey(n.Address)) return true; // slot deleted
            if (!slotsByAddress.TryGetValue(n.Address, out var slot)) return false; // a stray: nothing says it is gone
            var phase = instanceBySlot.TryGetValue(slot.Slot, out var i) ? i.Phase : InstancePhase.Absent;
            return phase is InstancePhase.Absent or InstancePhase.AwaitingBoot; // its volume is gone with its instance
        }
    }

    private static (IntentOutcome, MembershipAction?) JudgeIntent(DecisionInput input, TopologyIntent intent)
    {
        var (spec, view, instances, _, _, now, _, _) = input;
        var at = view.At(intent.Address);
        var age = now - intent.RecordedAt;
        var label = $"{intent.Kind.ToString().ToLowerInvariant()} of {intent.Slot ?? intent.Address}" +
            (intent.Issued ? "" : " (its answer never arrived)");
        (IntentOutcome, MembershipAction?) Pending(string what) =>
            (IntentOutcome.Pending, Wait($"{label}, recorded {Fmt(age)} ago, {what}"));
        var settled = (IntentOutcome.Settled, (MembershipAction?)null);
        switch (intent.Kind)
        {
            case ActionKind.Remove:
            case ActionKind.Decommission:
                var target = (intent.HostId is null ? null : view.WithHostId(intent.HostId)) ?? at;
                if (target is null) return settled; // gone: it happened (a banned host ID never returns)
                if (target.State == NodeState.Leaving) return Pending("is in flight");
                // No trace yet. An operation the cluster accepted may take a while to show: hold, do not decide anew.
                if (age <= spec.OperationVisibleWithin)
                    return Pending($"shows no trace yet: waiting up to {Fmt(spec.OperationVisibleWithin)} for it to show before deciding again");
                // Still no trace: acknowledged ones are judged afresh; unacknowledged ones never arrived and are
                // re-driven only if the full analysis decides the same operation again.
                return intent.Issued ? settled : (IntentOutcome.Redrive, null);
            case ActionKind.Replace:
            case ActionKind.Join:
                // A boot settles once its node has shown up, whatever happens to that node afterwards (it may become Normal
                // and die between two polls: it is then a down member like any other, for the per-slot analysis), or once
                // its boot timeout has passed. A join shows up as any member where there was none. A replace shows up only
                // once it is Normal under its new host ID: ScyllaDB 2025.1 never lists a replacing node as joining (it is
                // a replacing endpoint, not a bootstrapping one: service/storage_service.cc at scylla-2025.1.4), and with
                // the same address the host-ID map may list either ID meanwhile. So the process itself is asked: its own
                // host ID is new and it serves CQL, which ScyllaDB starts only once the node has joined.
                var shownUp = intent.Kind == ActionKind.Join
                    ? at is not null
                    : at is { LocalHostId: { } own, NativeTransport: true } && own != intent.HostId;
                if (shownUp) return settled;
                if (age > spec.BootTimeout) return settled;
                var phase = instances.FirstOrDefault(i => i.Slot == intent.Slot)?.Phase ?? InstancePhase.Absent;
                // Waiting for a boot instruction again (never booted, or the process was refused and exited) or gone:
                // nothing of this boot can still happen; decide afresh (a boot instruction is idempotent).
                if (phase is InstancePhase.AwaitingBoot or InstancePhase.Absent) return settled;
                // The instance runs: its node may still be starting or streaming. No second topology operation meanwhile.
                return Pending(intent.Kind == ActionKind.Join
                    ? $"booted, but no new node shows at {intent.Address} yet: waiting for it (at most {Fmt(spec.BootTimeout)})"
                    : $"is under way: the node at {intent.Address} does not serve yet under a new host ID (a replacing node is " +
                      $"listed nowhere as joining): waiting for it (at most {Fmt(spec.BootTimeout)})");
            default:
                return settled;
        }
    }

    private static string Describe(ObservedNode node, Dictionary<string, SlotSpec> slots, ObservationHistory history)
    {
        var slot = slots.TryGetValue(node.Address, out var s) ? $"slot {s.Slot} " : "";
        var host = node.HostId ?? history.LastHostId(node.Address) ?? "host id unknown";
        return $"{slot}{node.Address} ({node.Datacenter ?? "?"}, {host})";
    }

    private static MembershipDecision Only(MembershipAction action, TopologyIntent? intent) =>
        new([action], false, intent is null ? IntentOutcome.None : IntentOutcome.Pending);

    private static MembershipAction Wait(string reason, SlotSpec? slot = null) =>
        new(ActionKind.Wait, reason, slot?.Slot, slot?.Address);

    private static string Fmt(TimeSpan t) => t.TotalSeconds < 120 ? $"{t.TotalSeconds:0.#}s" : $"{t.TotalMinutes:0.#}m";
}
