using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Tests.Doubles;
using static ScyllaApocryph.Tests.Membership.MembershipHarness;

namespace ScyllaApocryph.Tests.Membership;

/// <summary>
/// A host that drops packets instead of refusing them must not make polls so slow that observation stops being
/// continuous (ScyllaDB 2025.1 marks a crashed node down 22-24 s after it stopped: gms/gossiper.cc at scylla-2025.1.4).
/// </summary>
public sealed class SlowPollTests
{
    [Fact]
    public void A_poll_with_a_packet_dropping_host_ends_within_one_request_timeout() => SimulatedTime.Run(async () =>
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.Cluster.DropPackets(slots[2].Address);
        var observer = new ClusterObserver(new HttpClient(h.Cluster) { Timeout = Timeout.InfiniteTimeSpan }, new DirectEndpointResolver(),
            h.Clock, ScyllaRestOptions.Default); // the defaults: 5 s per request, two retries
        var start = h.Clock.GetUtcNow();

        var view = await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default), TimeSpan.FromMilliseconds(250));

        Assert.True(h.Clock.GetUtcNow() - start <= ScyllaRestOptions.Default.RequestTimeout + TimeSpan.FromMilliseconds(250),
            $"the poll took {h.Clock.GetUtcNow() - start}");
        Assert.Equal(start, view.ObservedAt); // stamped when it started
        Assert.Equal([slots[0].Address, slots[1].Address], view.Reachable);
    });

    [Fact]
    public void A_retired_node_on_a_host_that_drops_packets_is_seen_dead_after_the_grace_period_and_removed() => SimulatedTime.Run(async () =>
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 4).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        h.SetRf(("dc1", 2));
        // Slot 3 is deleted from the stack; its VM vanished without a word: the process stopped, packets are dropped.
        h.Autoscaler.Crash(slots[3].Slot);
        h.Cluster.DropPackets(slots[3].Address);
        var reconciler = h.Reconciler(Spec(slots.Take(3), ("dc1", 2)) with { Retired = [slots[3]] }, rest: ScyllaRestOptions.Default);

        MembershipAction? executed = null;
        for (var i = 0; i < 40 && executed is null; i++)
        {
            executed = (await h.WhileTimePasses(reconciler.ReconcileOnceAsync(default), TimeSpan.FromMilliseconds(500))).Executed;
            h.Clock.Advance(Poll);
        }

        Assert.Equal(ActionKind.Remove, executed?.Kind);
        Assert.Empty(h.Cluster.Rejected);
    });

    [Fact]
    public void A_packet_dropping_host_in_the_poll_does_not_leave_the_nodes_that_answer_without_their_datacenter() =>
        SimulatedTime.Run(async () =>
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).Append(Slot("dc2", 0)).ToList();
        h.Autoscaler.Seed(slots);
        h.Cluster.DropPackets(slots[2].Address);
        var observer = new ClusterObserver(new HttpClient(h.Cluster) { Timeout = Timeout.InfiniteTimeSpan }, new DirectEndpointResolver(),
            h.Clock, ScyllaRestOptions.Default);

        var view = await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default), TimeSpan.FromMilliseconds(250));

        // The silent host used up the poll's time; every node that answered still said where it is.
        Assert.Equal("dc2", view.At(slots[3].Address)!.Datacenter);
        Assert.Equal("dc1", view.At(slots[0].Address)!.Datacenter);
    });
}
