using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Tests.Doubles;
using static ScyllaApocryph.Tests.Membership.MembershipHarness;

namespace ScyllaApocryph.Tests.Membership;

/// <summary>Recorded topology operations always settle, so a later decision (a replace of that very node) can follow.</summary>
public sealed class MembershipLivenessTests
{
    /// <summary>
    /// The schedule of seed 5Q6AxKSiTNX1, reduced: a join whose node became Normal between two polls, and then lost its
    /// instance. The reconciler never saw it up; it saw it "Down Normal" and kept the join "under way" forever, which blocked
    /// the replacement of that dead node.
    /// </summary>
    [Fact]
    public void A_join_whose_node_became_normal_and_then_was_lost_settles_and_the_dead_node_is_replaced() => SimulatedTime.Run(async () =>
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 2));
        var added = Slot("dc1", 3);
        h.Autoscaler.AddSlot(added);
        h.Autoscaler.Recreate(added.Slot);
        var reconciler = h.Reconciler(Spec([.. slots, added], ("dc1", 2)));

        var first = await reconciler.ReconcileOnceAsync(default);
        Assert.Equal(ActionKind.Join, first.Executed?.Kind);
        h.Clock.Advance(h.Cluster.OperationDuration + TimeSpan.FromSeconds(1)); // joined, and Normal, between two polls...
        var joined = h.Cluster.Members.Single(n => n.Address == added.Address);
        Assert.Equal(NodeState.Normal, joined.State);
        h.Autoscaler.Lose(added.Slot); // ...then its instance and volume are gone, and its peers saw it go down,
        h.Autoscaler.Recreate(added.Slot);
        h.Clock.Advance(h.Cluster.MarkedDownAfter + TimeSpan.FromSeconds(1)); // all before any poll saw it up

        var rounds = await h.Converge(reconciler, maxRounds: 400);

        Assert.True(rounds[^1].Decision!.Converged, string.Join("\n", rounds[^1].Decision!.Actions));
        Assert.Contains(h.Autoscaler.Boots, b => b.Mode == BootMode.Replace && b.ReplaceHostId == joined.HostId);
        Assert.Contains(joined.HostId, h.Cluster.Banned);
        Assert.Empty(h.Cluster.Rejected);
    });

    /// <summary>
    /// ScyllaDB 2025.1 lists no replacing node as joining, and with the same address its host-ID map may already show the
    /// new host ID while the replace streams. Neither convergence nor another operation until the replacement serves.
    /// </summary>
    [Fact]
    public void A_replace_in_progress_is_invisible_yet_nothing_converges_or_starts_until_it_serves_under_its_new_host_id() =>
        SimulatedTime.Run(async () =>
    {
        var h = new MembershipHarness(cluster: clock => new ScyllaSimulator(clock) { OperationDuration = TimeSpan.FromMinutes(10) });
        var slots = Enumerable.Range(0, 5).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        var old = h.Cluster.Members.Single(n => n.Address == slots[4].Address).HostId;
        var reconciler = h.Reconciler(Spec(slots, ("dc1", 3)));
        h.Autoscaler.Lose("dc1-4");
        h.Autoscaler.Recreate("dc1-4");

        var rounds = new List<Providers.Scylla.ReconcileRound>();
        while (rounds.Count < 60 && rounds.All(r => r.Executed?.Kind != ActionKind.Replace))
        {
            rounds.Add(await reconciler.ReconcileOnceAsync(default));
            h.Clock.Advance(Poll);
        }
        Assert.NotEmpty(h.Cluster.Accepted); // the replace streams for 10 minutes from here
        var during = new List<Providers.Scylla.ReconcileRound>();
        while (h.Cluster.Operation is not null)
        {
            during.Add(await reconciler.ReconcileOnceAsync(default));
            h.Clock.Advance(Poll);
        }

        Assert.True(during.Count > 100);
        Assert.Contains(during, r => r.View!.At(slots[4].Address)!.HostId != old); // the map shows the new ID early...
        Assert.All(during, r => Assert.False(r.Decision!.Converged)); // ...yet no convergence
        Assert.All(during, r => Assert.Null(r.Executed)); // and no other operation
        var after = await h.Converge(reconciler);
        Assert.True(after[^1].Decision!.Converged, string.Join("\n", after[^1].Decision!.Actions));
    });

    /// <summary>
    /// A replace refused because another node was down leaves its host ID on the volume. The agent must clear the data
    /// directory before the next boot instruction; the twin without that shows ScyllaDB's refusal of a spent host ID.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_refused_boot_is_retried_from_a_cleared_data_directory(bool agentClearsData) => SimulatedTime.Run(async () =>
    {
        var h = new MembershipHarness();
        var autoscaler = new FakeAutoscaler(h.Cluster) { ClearsDataAfterFailedJoin = agentClearsData };
        var hooks = new Providers.Autoscaler.AutoscalerHooksClient(
            new HttpClient(new Providers.Autoscaler.AutoscalerHooksHandler(autoscaler)), new Uri("http://agent.invalid/"));
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        autoscaler.Seed(slots);
        var dead = h.Cluster.Members.Single(n => n.Address == slots[2].Address);
        autoscaler.Lose("dc1-2");
        autoscaler.Recreate("dc1-2");
        autoscaler.Crash("dc1-1"); // a second node is down: the first attempt is refused
        h.Clock.Advance(TimeSpan.FromSeconds(25));
        var first = await hooks.BootAsync(new BootInstruction("dc1-2", BootMode.Replace, dead.HostId, [slots[0].Address], []), default);
        autoscaler.Restart("dc1-1");

        var second = await hooks.BootAsync(new BootInstruction("dc1-2", BootMode.Replace, dead.HostId, [slots[0].Address], []), default);

        Assert.False(first.Accepted);
        Assert.Equal(agentClearsData, second.Accepted);
        if (!agentClearsData) Assert.Contains("already been removed from the cluster", second.Error);
    });
}
