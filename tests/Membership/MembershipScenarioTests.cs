using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Tests.Doubles;
using static ScyllaApocryph.Tests.Membership.MembershipHarness;

namespace ScyllaApocryph.Tests.Membership;

public sealed class MembershipScenarioTests
{
    [Fact]
    public async Task A_node_that_dies_and_comes_back_empty_is_replaced_with_its_old_host_id()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        var oldHostId = h.Cluster.Members.Single(n => n.Address == slots[1].Address).HostId;
        var reconciler = h.Reconciler(Spec(slots, ("dc1", 3)));

        h.Autoscaler.Lose("dc1-1");
        h.Autoscaler.Recreate("dc1-1");
        var rounds = await h.Converge(reconciler);

        Assert.True(rounds[^1].Decision!.Converged, string.Join("\n", rounds[^1].Decision!.Actions));
        var boot = Assert.Single(h.Autoscaler.Boots);
        Assert.Equal((BootMode.Replace, oldHostId), (boot.Mode, boot.ReplaceHostId));
        Assert.DoesNotContain(slots[1].Address, boot.Seeds);
        Assert.Equal([$"replace {oldHostId}"], h.Cluster.Accepted);
        Assert.Contains(oldHostId, h.Cluster.Banned);
        var replacement = h.Cluster.Members.Single(n => n.Address == slots[1].Address);
        Assert.NotEqual(oldHostId, replacement.HostId);
        Assert.Equal(NodeState.Normal, replacement.State);
        // Not before the grace period: the first rounds only waited.
        var firstReplace = rounds.FindIndex(r => r.Executed?.Kind == ActionKind.Replace);
        Assert.True(firstReplace * Poll >= reconciler.Spec.GracePeriod, $"replaced after {firstReplace * Poll}");
        Assert.Empty(h.Cluster.Rejected);
    }

    private static (MembershipHarness, List<SlotSpec> A, List<SlotSpec> B, SlotSpec Arbiter) WithArbiter()
    {
        var h = new MembershipHarness();
        var a = new[] { Slot("prov-a", 0), Slot("prov-a", 1) }.ToList();
        var b = new[] { Slot("prov-b", 0), Slot("prov-b", 1) }.ToList();
        var arbiter = Slot("arbiter", 0, zeroToken: true);
        h.Autoscaler.Seed([.. a, .. b, arbiter]);
        h.SetRf(("prov-a", 2), ("prov-b", 2));
        return (h, a, b, arbiter);
    }

    [Fact]
    public async Task A_lost_provider_with_an_arbiter_is_replaced_node_by_node_when_its_slots_stay()
    {
        var (h, a, b, arbiter) = WithArbiter();
        var reconciler = h.Reconciler(Spec([.. a, .. b, arbiter], ("prov-a", 2), ("prov-b", 2)));
        var lost = b.Select(s => h.Cluster.Members.Single(n => n.Address == s.Address).HostId).ToList();
        foreach (var s in b) h.Autoscaler.Lose(s.Slot);
        foreach (var s in b) h.Autoscaler.Recreate(s.Slot);

        var rounds = await h.Converge(reconciler);

        Assert.True(rounds[^1].Decision!.Converged, string.Join("\n", rounds[^1].Decision!.Actions));
        Assert.Equal(lost.Select(id => $"replace {id}").Order(), h.Cluster.Accepted.Order());
        Assert.Empty(h.Cluster.Rejected); // in particular: never "another topology operation is in progress"
        // The first replace ignored the other dead node, as ScyllaDB requires.
        Assert.Contains(h.Autoscaler.Boots, boot => boot.IgnoreDeadHostIds.Count == 1);
        Assert.Equal(5, h.Cluster.Members.Count);
    }

    [Fact]
    public async Task A_second_dead_slot_is_not_replaced_while_the_first_replacement_is_still_starting()
    {
        // Booted processes take 3 minutes to show up in gossip: longer than grace period + view age.
        var h = new MembershipHarness(cluster: clock => new ScyllaSimulator(clock) { BootDelay = TimeSpan.FromMinutes(3) });
        var slots = Enumerable.Range(0, 5).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        var reconciler = h.Reconciler(Spec(slots, ("dc1", 3)));
        foreach (var s in new[] { "dc1-3", "dc1-4" })
        {
            h.Autoscaler.Lose(s);
            h.Autoscaler.Recreate(s);
        }

        var rounds = await h.Converge(reconciler);

        Assert.True(rounds[^1].Decision!.Converged, string.Join("\n", rounds[^1].Decision!.Actions));
        Assert.Empty(h.Cluster.Rejected); // in particular: never "another topology operation is in progress"
        Assert.Equal(2, h.Autoscaler.Boots.Count);
        var first = rounds.FindIndex(r => r.Executed is not null);
        var second = rounds.FindLastIndex(r => r.Executed is not null);
        Assert.True((second - first) * Poll >= TimeSpan.FromMinutes(3), $"second replace {(second - first) * Poll} after the first");
        Assert.Contains(rounds.Skip(first + 1), r => r.Decision!.Actions.Any(a => a.Reason.Contains("does not serve yet under a new host ID")));
    }

    [Fact]
    public async Task A_lost_provider_with_an_arbiter_is_removed_when_its_slots_are_deleted_and_its_rf_lowered()
    {
        var (h, a, b, arbiter) = WithArbiter();
        foreach (var s in b) h.Autoscaler.Lose(s.Slot);
        h.SetRf(("prov-b", 0)); // the keyspaces no longer replicate to prov-b
        var reconciler = h.Reconciler(Spec([.. a, arbiter], ("prov-a", 2), ("prov-b", 0)) with { Retired = b });

        var rounds = await h.Converge(reconciler);

        Assert.True(rounds[^1].Decision!.Converged, string.Join("\n", rounds[^1].Decision!.Actions));
        Assert.Equal(2, h.Cluster.Accepted.Count(x => x.StartsWith("removenode ")));
        Assert.Empty(h.Cluster.Rejected);
        Assert.Equal(a.Select(s => s.Address).Append(arbiter.Address).Order(), h.Cluster.Members.Select(n => n.Address).Order());
    }

    [Fact]
    public async Task Removal_waits_with_a_reason_while_the_datacenter_would_fall_below_its_rf()
    {
        var (h, a, b, arbiter) = WithArbiter();
        foreach (var s in b) h.Autoscaler.Lose(s.Slot);
        var reconciler = h.Reconciler(Spec([.. a, arbiter], ("prov-a", 2), ("prov-b", 2)) with { Retired = b });

        var rounds = await h.Converge(reconciler, maxRounds: 20);

        Assert.Empty(h.Cluster.Accepted);
        Assert.Contains(rounds[^1].Decision!.Actions, x => x.Kind == ActionKind.Wait && x.Reason.Contains("lower the RF of prov-b"));
    }

    [Fact]
    public async Task A_lost_provider_without_an_arbiter_is_refused_with_the_missing_nodes_and_the_recovery_procedure()
    {
        var h = new MembershipHarness();
        var a = new[] { Slot("prov-a", 0), Slot("prov-a", 1) };
        var b = new[] { Slot("prov-b", 0), Slot("prov-b", 1) };
        h.Autoscaler.Seed([.. a, .. b]);
        h.SetRf(("prov-a", 2), ("prov-b", 2));
        foreach (var s in b)
        {
            h.Autoscaler.Lose(s.Slot);
            h.Autoscaler.Recreate(s.Slot);
        }
        h.Clock.Advance(TimeSpan.FromSeconds(25)); // past the failure detector

        var reconciler = h.Reconciler(Spec([.. a, .. b], ("prov-a", 2), ("prov-b", 2)));
        var error = await Assert.ThrowsAsync<MembershipRefusedException>(() => reconciler.RunUntilConvergedAsync(null, CancellationToken.None));

        Assert.Contains("Raft majority lost: 2 of 4", error.Message);
        foreach (var s in b) Assert.Contains(s.Address, error.Message);
        Assert.Contains(MembershipDecider.RecoveryProcedure, error.Message);
        Assert.Empty(h.Cluster.Accepted);
        Assert.Empty(h.Autoscaler.Boots);
    }

    /// <summary>
    /// Two retired nodes lost together: one removenode takes one and ignores the other, which stays listed, dead and banned
    /// (no voter: storage_service.cc raft_removenode at scylla-2025.1.4). When another node then crashes, two of four
    /// listed members are down, but only one of the three voters: the reconciler waits for it instead of refusing.
    /// </summary>
    [Fact]
    public async Task A_node_an_earlier_removenode_ignored_is_no_voter_so_a_later_crash_is_waited_out_not_refused()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 5).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 2));
        h.Autoscaler.Lose("dc1-3");
        h.Autoscaler.Lose("dc1-4");
        var reconciler = h.Reconciler(Spec(slots.Take(3), ("dc1", 2)) with { Retired = [slots[3], slots[4]] });

        var rounds = new List<ReconcileRound>();
        while (rounds.Count < 100 && !rounds.Any(r => r.Executed?.Kind == ActionKind.Remove))
        {
            rounds.Add(await reconciler.ReconcileOnceAsync(CancellationToken.None));
            h.Clock.Advance(Poll);
        }
        var removal = h.Executed(rounds).Single();
        var ignored = Assert.Single(removal.IgnoreHostIds!);
        Assert.Contains(ignored, h.Cluster.Banned);

        h.Cluster.Kill(slots[2].Address); // its instance keeps its data: the node may come back
        var later = await h.Converge(reconciler, maxRounds: 30);

        Assert.All(later, r => Assert.Null(r.Decision!.Refusal));
        Assert.Equal(4, h.Cluster.Members.Count); // the removal finished; the ignored node is still listed
        Assert.Contains(h.Cluster.Members, n => n.HostId == ignored);
        Assert.Contains(later[^1].Decision!.Actions, a => a.Kind == ActionKind.Wait && a.Reason.Contains(slots[2].Address));
    }

    [Fact]
    public async Task Scale_up_by_two_joins_one_at_a_time_and_scale_down_by_one_decommissions_the_highest_slot()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        var bigger = Enumerable.Range(0, 5).Select(i => Slot("dc1", i)).ToList();
        foreach (var s in bigger.Skip(3))
        {
            h.Autoscaler.AddSlot(s);
            h.Autoscaler.Recreate(s.Slot);
        }

        var up = await h.Converge(h.Reconciler(Spec(bigger, ("dc1", 3))));
        Assert.True(up[^1].Decision!.Converged);
        Assert.Equal(["bootstrap " + bigger[3].Address, "bootstrap " + bigger[4].Address], h.Cluster.Accepted);
        Assert.All(h.Autoscaler.Boots, b => Assert.Equal(BootMode.Fresh, b.Mode));

        var down = await h.Converge(h.Reconciler(Spec(bigger.Take(4), ("dc1", 3)) with { Retired = [bigger[4]] }));
        Assert.True(down[^1].Decision!.Converged);
        Assert.Equal("decommission " + bigger[4].Address, h.Cluster.Accepted[^1]);
        Assert.Equal(4, h.Cluster.Members.Count);
        Assert.Empty(h.Cluster.Rejected);
    }

    [Fact]
    public async Task Scale_down_by_two_takes_the_highest_slot_first()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 5).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        var rounds = await h.Converge(h.Reconciler(Spec(slots.Take(3), ("dc1", 3)) with { Retired = [slots[3], slots[4]] }));
        Assert.True(rounds[^1].Decision!.Converged);
        Assert.Equal(["decommission " + slots[4].Address, "decommission " + slots[3].Address], h.Cluster.Accepted);
    }

    [Fact]
    public async Task A_flapping_node_down_for_less_than_the_grace_period_each_time_is_never_replaced()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        var reconciler = h.Reconciler(Spec(slots, ("dc1", 3)));
        h.Autoscaler.Recreate("dc1-2"); // the agent reports an empty instance, the most tempting case for a replace

        var rounds = new List<ReconcileRound>();
        for (var cycle = 0; cycle < 6; cycle++)
        {
            h.Autoscaler.Crash("dc1-2"); // seen down 20 s later, for 35 s: total 6 x 35 s > grace, never 40 s in a row
            for (var t = 0; t < 55; t += 5)
            {
                rounds.Add(await reconciler.ReconcileOnceAsync(CancellationToken.None));
                h.Clock.Advance(Poll);
            }
            h.Autoscaler.Restart("dc1-2");
            rounds.Add(await reconciler.ReconcileOnceAsync(CancellationToken.None));
            h.Clock.Advance(Poll);
        }

        Assert.Empty(h.Cluster.Accepted);
        Assert.Empty(h.Autoscaler.Boots);
        Assert.Contains(rounds, r => r.Decision!.Actions.Any(a => a.Reason.Contains("not dead yet")));
    }

    /// <summary>
    /// Four nodes, slot 3 deleted from the stack and dead. The cluster accepts a removenode but shows it (the target
    /// Leaving) only 2.5 minutes later, and the stack says operations may take up to 5 minutes to show. r1 issues the
    /// removenode, its answer is lost, and r1 dies; r2 takes over once r1's lease lapses and, 40 s later, would see the
    /// node dead with no sign of any removal. Only the intent journal tells it the removal is already under way.
    /// </summary>
    private static async Task<(MembershipHarness H, MembershipSpec Spec)> CrashAfterIssuingRemovenode(IIntentJournal journal)
    {
        var h = new MembershipHarness(cluster: clock => new ScyllaSimulator(clock)
        {
            OperationDuration = TimeSpan.FromMinutes(6), AcceptedVisibleAfter = TimeSpan.FromSeconds(150),
        });
        h.Journal = journal;
        var slots = Enumerable.Range(0, 4).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        h.Autoscaler.Lose("dc1-3");
        h.Clock.Advance(TimeSpan.FromSeconds(25)); // gossip has noticed
        var spec = Spec(slots.Take(3), ("dc1", 3)) with { Retired = [slots[3]], OperationVisibleWithin = TimeSpan.FromMinutes(5) };
        var first = h.Reconciler(spec, "r1");
        foreach (var s in slots.Take(3)) h.Cluster.DropNextPostResponse(s.Address); // the removenode's answer is lost

        string? crash = null;
        for (var i = 0; i < 100 && crash is null; i++)
        {
            crash = (await first.ReconcileOnceAsync(CancellationToken.None)).Error;
            h.Clock.Advance(Poll);
        }
        // r1 "dies" here: removenode reached the cluster, its acknowledgement was never recorded.
        Assert.NotNull(crash);
        Assert.Single(h.Cluster.Accepted, x => x.StartsWith("removenode "));
        h.Clock.Advance(TimeSpan.FromSeconds(61)); // r1's lease lapses
        return (h, spec);
    }

    [Fact]
    public async Task A_crash_between_issuing_removenode_and_recording_it_never_issues_a_second_removenode()
    {
        var dir = Directory.CreateTempSubdirectory("membership-journal-");
        var (h, spec) = await CrashAfterIssuingRemovenode(new FileIntentJournal(Path.Combine(dir.FullName, "intent.json")));
        var intent = await h.Journal.LoadAsync(CancellationToken.None);
        Assert.Equal((ActionKind.Remove, false), (intent!.Kind, intent.Issued));

        // A new reconciler (another process, same journal file).
        var rounds = await h.Converge(h.Reconciler(spec, "r2"));

        Assert.True(rounds[^1].Decision!.Converged, string.Join("\n", rounds[^1].Decision!.Actions));
        Assert.Single(h.Cluster.Accepted, x => x.StartsWith("removenode "));
        Assert.Empty(h.Cluster.Rejected);
        Assert.Contains(rounds, r => r.Decision!.Actions.Any(a => a.Reason.Contains("shows no trace yet")));
        Assert.Null(await h.Journal.LoadAsync(CancellationToken.None));
        Assert.Equal(3, h.Cluster.Members.Count);
    }

    /// <summary>The same crash with a journal that forgets: the window is real, and the test above could fail.</summary>
    [Fact]
    public async Task Without_the_intent_journal_the_same_crash_would_issue_a_second_removenode()
    {
        var (h, spec) = await CrashAfterIssuingRemovenode(new ForgetfulJournal());

        var error = await Record.ExceptionAsync(() => h.Converge(h.Reconciler(spec, "r2")));

        Assert.Null(error); // the cluster refuses it; the round reports that
        Assert.Contains(h.Cluster.Rejected, r => r.StartsWith("removenode ") && r.Contains("Wait for it to be in 'normal' state"));
    }

    private sealed class ForgetfulJournal : IIntentJournal
    {
        public Task<TopologyIntent?> LoadAsync(CancellationToken cancellationToken) => Task.FromResult<TopologyIntent?>(null);

        public Task SaveAsync(TopologyIntent intent, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ClearAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task Two_reconcilers_at_once_exactly_one_acts()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 3));
        var spec = Spec(slots, ("dc1", 3));
        var r1 = h.Reconciler(spec, "r1");
        var r2 = h.Reconciler(spec, "r2");
        h.Autoscaler.Lose("dc1-0");
        h.Autoscaler.Recreate("dc1-0");

        var rounds = new List<(string Who, ReconcileRound Round)>();
        for (var i = 0; i < 60; i++)
        {
            // Both run each poll, concurrently, against the same lease.
            var both = await Task.WhenAll(r1.ReconcileOnceAsync(CancellationToken.None), r2.ReconcileOnceAsync(CancellationToken.None));
            rounds.Add(("r1", both[0]));
            rounds.Add(("r2", both[1]));
            h.Clock.Advance(Poll);
        }

        var actors = rounds.Where(r => r.Round.Executed is not null).Select(r => r.Who).Distinct().ToList();
        Assert.Single(actors);
        Assert.Single(h.Cluster.Accepted);
        Assert.Single(h.Autoscaler.Boots);
        Assert.Contains(rounds, r => !r.Round.Leader && r.Who != actors[0]);
    }

    [Fact]
    public async Task The_file_lease_admits_one_holder_until_it_expires()
    {
        var h = new MembershipHarness();
        var path = Path.Combine(Directory.CreateTempSubdirectory("membership-lease-").FullName, "lease.json");
        var one = new FileReconcilerLease(path, h.Clock);
        var two = new FileReconcilerLease(path, h.Clock); // a second process looking at the same file
        Assert.True(await one.TryAcquireAsync("r1", TimeSpan.FromSeconds(30), default));
        Assert.False(await two.TryAcquireAsync("r2", TimeSpan.FromSeconds(30), default));
        Assert.Equal("r1", await two.HolderAsync(default));
        h.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.True(await two.TryAcquireAsync("r2", TimeSpan.FromSeconds(30), default));
        Assert.False(await one.TryAcquireAsync("r1", TimeSpan.FromSeconds(30), default));
        await two.ReleaseAsync("r2", default);
        Assert.True(await one.TryAcquireAsync("r1", TimeSpan.FromSeconds(30), default));
    }
}
