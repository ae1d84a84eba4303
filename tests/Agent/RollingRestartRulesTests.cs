using ScyllaApocryph.Agent;
using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>"May I restart now?": the actor's token step and the holder's last check, as pure rules.</summary>
public sealed class RollingRestartRulesTests
{
    private static readonly IReadOnlyList<AgentSlot> Slots =
    [
        new("a", "dc1", 0, "10.0.0.1", "http://10.0.0.1:8080/"),
        new("b", "dc1", 1, "10.0.0.2", "http://10.0.0.2:8080/"),
        new("c", "dc1", 2, "10.0.0.3", "http://10.0.0.3:8080/"),
    ];

    private static InstanceReport Report(string slot, bool ready = true, bool pending = false, InstancePhase phase = InstancePhase.Running) =>
        new("c1", slot, slot + "-pod", phase, "host-" + slot, ready, pending);

    private static List<InstanceReport> AllReady(params string[] pending) => [.. Slots.Select(s => Report(s.Slot, pending: pending.Contains(s.Slot)))];

    private static ClusterView View(string? down = null, string? disputed = null, params string[] disagreements) =>
        new(DateTimeOffset.UnixEpoch, [.. Slots.Select(s => new ObservedNode(s.Address, "host-" + s.Slot, "dc1", "r1",
            s.Address == down ? NodeStatus.Down : NodeStatus.Up, NodeState.Normal, Disputed: s.Address == disputed))],
            [.. Slots.Select(s => s.Address)], disagreements);

    [Fact]
    public void With_every_node_up_normal_the_token_goes_to_the_first_waiting_slot_in_topology_order()
    {
        var d = RollingRestartRules.ForActor(Slots, AllReady("c", "b"), View(), converged: true, holder: null);
        Assert.Equal((RestartTokenStep.Grant, "b"), (d.Step, d.Slot));
    }

    [Fact]
    public void Nobody_waiting_leaves_the_token_free()
    {
        Assert.Equal(RestartTokenStep.Idle, RollingRestartRules.ForActor(Slots, AllReady(), View(), true, null).Step);
    }

    [Theory]
    [InlineData("down")]
    [InlineData("disputed")]
    [InlineData("disagreement")]
    [InlineData("not-ready")]
    [InlineData("no-answer")]
    [InlineData("awaiting-boot")]
    [InlineData("not-converged")]
    [InlineData("no-view")]
    public void The_token_is_not_granted_while_any_node_is_not_up_normal_for_every_observer(string what)
    {
        var reports = AllReady("a");
        var view = View();
        var converged = true;
        switch (what)
        {
            case "down": view = View(down: "10.0.0.3"); break;
            case "disputed": view = View(disputed: "10.0.0.2"); break;
            case "disagreement": view = View(null, null, "10.0.0.1 sees 10.0.0.3 down, 10.0.0.2 sees it up"); break;
            case "not-ready": reports[2] = Report("c", ready: false); break;
            case "no-answer": reports.RemoveAt(1); break;
            case "awaiting-boot": reports[1] = Report("b", ready: false, phase: InstancePhase.AwaitingBoot); break;
            case "not-converged": converged = false; break;
            case "no-view": view = null!; break;
        }
        var d = RollingRestartRules.ForActor(Slots, reports, view, converged, holder: null);
        Assert.Equal(RestartTokenStep.Wait, d.Step);
        Assert.Null(d.Slot);
    }

    [Fact]
    public void A_view_that_misses_a_slot_grants_nothing()
    {
        var partial = new ClusterView(DateTimeOffset.UnixEpoch, [.. View().Nodes.Take(2)], [], []);
        Assert.Equal(RestartTokenStep.Wait, RollingRestartRules.ForActor(Slots, AllReady("a"), partial, true, null).Step);
    }

    [Fact]
    public void The_holder_keeps_the_token_until_it_is_up_normal_again_with_its_new_inputs_even_when_its_agent_is_gone()
    {
        // Granted, not restarted yet (still pending), or restarting (not ready, down in the view), or crashed (no report).
        Assert.Equal(RestartTokenStep.Keep, RollingRestartRules.ForActor(Slots, AllReady("b"), View(), true, "b").Step);
        List<InstanceReport> restarting = [Report("a"), Report("b", ready: false), Report("c", pending: true)];
        Assert.Equal(RestartTokenStep.Keep, RollingRestartRules.ForActor(Slots, restarting, View(down: "10.0.0.2"), false, "b").Step);
        var crashed = RollingRestartRules.ForActor(Slots, [Report("a", pending: true), Report("c", pending: true)], View(down: "10.0.0.2"), false, "b");
        Assert.Equal((RestartTokenStep.Keep, "b"), (crashed.Step, crashed.Slot));
        Assert.Contains("does not answer", crashed.Reason);
        // Its own agent says ready before every observer sees it up: kept.
        Assert.Equal(RestartTokenStep.Keep, RollingRestartRules.ForActor(Slots, AllReady("c"), View(down: "10.0.0.2"), true, "b").Step);

        var back = RollingRestartRules.ForActor(Slots, AllReady("c"), View(), true, "b");
        Assert.Equal((RestartTokenStep.Release, "b"), (back.Step, back.Slot));
    }

    [Fact]
    public void A_token_held_by_a_deleted_slot_is_freed()
    {
        Assert.Equal(RestartTokenStep.Release, RollingRestartRules.ForActor(Slots, AllReady(), View(), true, "d").Step);
    }

    [Fact]
    public void The_holder_stops_only_with_the_token_its_own_node_ready_and_every_other_node_up_normal()
    {
        var reports = AllReady("b");
        var mine = new RestartGrant(3, 1, "b");
        Assert.Null(RollingRestartRules.WhyNotStop("b", pending: true, selfReady: true, mine, Slots, reports));

        Assert.Equal("no restart pending", RollingRestartRules.WhyNotStop("b", false, true, mine, Slots, reports));
        Assert.Contains("majority", RollingRestartRules.WhyNotStop("b", true, true, token: null, Slots, reports));
        Assert.Equal("waiting for the restart token", RollingRestartRules.WhyNotStop("b", true, true, new RestartGrant(3, 2, null), Slots, reports));
        Assert.Equal("slot a holds the restart token", RollingRestartRules.WhyNotStop("b", true, true, new RestartGrant(3, 2, "a"), Slots, reports));
        Assert.Contains("this node is not Up Normal", RollingRestartRules.WhyNotStop("b", true, selfReady: false, mine, Slots, reports));
        Assert.Equal("slot c is not Up Normal",
            RollingRestartRules.WhyNotStop("b", true, true, mine, Slots, [Report("a"), Report("b", pending: true), Report("c", ready: false)]));
        Assert.Equal("slot a's agent does not answer", RollingRestartRules.WhyNotStop("b", true, true, mine, Slots, [Report("b"), Report("c")]));
        // Its own report is not needed: it knows its own node first-hand.
        Assert.Null(RollingRestartRules.WhyNotStop("b", true, true, mine, Slots, [Report("a"), Report("c")]));
    }

    [Fact]
    public void A_grant_counts_only_when_a_majority_holds_exactly_it()
    {
        RestartGrant free = new(1, 1, null), toB = new(2, 1, "b"), toC = new(3, 1, "c");
        Assert.Null(RestartToken.Settle([toB], slots: 3)); // one of three answered: not a majority
        var half = RestartToken.Settle([toB, free], slots: 3)!; // a deposed actor reached one replica only
        Assert.Equal((toB, false), (half.Newest, half.Committed));
        Assert.True(RestartToken.Settle([toB, toB], slots: 3)!.Committed);
        Assert.False(RestartToken.Settle([toB, toB, toC], slots: 5)!.Committed); // newest is c's, held by one of five
        Assert.Equal(toC, RestartToken.Settle([toB, toC, toB], slots: 3)!.Newest);
    }

    [Fact]
    public void A_replica_refuses_a_token_from_an_actor_below_its_promised_term_and_keeps_the_newest()
    {
        var dir = Directory.CreateTempSubdirectory("agent-token").FullName;
        try
        {
            var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
            var store = new PromiseStore(dir, clock, TimeSpan.Zero);
            Assert.True(store.Vote(new VoteRequest(4, "a", 5000)).Granted);
            Assert.False(store.ReplicateRestart(new RestartGrant(3, 9, "c")).Accepted); // a deposed actor cannot grant
            Assert.True(store.ReplicateRestart(new RestartGrant(4, 1, "b")).Accepted);
            Assert.True(store.ReplicateRestart(new RestartGrant(4, 0, null)).Accepted); // older: ignored
            Assert.Equal("b", store.Restart.Slot);
            Assert.Equal("b", new PromiseStore(dir, clock, TimeSpan.Zero).Restart.Slot); // kept on the volume
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
