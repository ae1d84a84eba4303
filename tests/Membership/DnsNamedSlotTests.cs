using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Membership;

/// <summary>
/// On Kubernetes a slot's address is a Service DNS name (here the node's own ClusterIP Service; a StatefulSet pod's name
/// under a headless Service would be the same case), ScyllaDB resolves it (gms::inet_address::lookup, gms/inet_address.cc)
/// and gossips the IP, while
/// ScyllaDB's REST API lists nodes by IP: gossip's live and down lists (/gossiper/endpoint/live, /down) and the host ID
/// map (/storage_service/host_id: {key: endpoint IP, value: host ID}), api-doc at scylla-2025.1.4. The observer must key
/// its view by slot, as the decider expects, without guessing.
/// </summary>
public sealed class DnsNamedSlotTests
{
    private static readonly string[] Ips = ["10.244.1.7", "10.244.2.9", "10.244.3.4"];

    private static SlotSpec Slot(int i) => new($"dc1-{i}", "dc1", i, $"scylla-dc1-{i}.scylla.ns.svc.cluster.local");

    /// <summary>A port-forward to the slot's pod: the name reaches the node's REST API while the pod runs.</summary>
    private sealed class PodForward(Dictionary<string, string> pods) : IScyllaEndpointResolver
    {
        public Task<Uri?> ResolveAsync(string address, CancellationToken cancellationToken) =>
            Task.FromResult(pods.TryGetValue(address, out var ip) ? new UriBuilder("http", ip, 10000).Uri : null);
    }

    /// <summary>Cluster DNS: a headless Service's record exists while its pod does.</summary>
    private sealed class ClusterDns(Dictionary<string, string> records) : ISlotAddressResolver
    {
        public int Lookups { get; private set; }

        public Task<IReadOnlyList<string>> ResolveAsync(string name, CancellationToken cancellationToken)
        {
            Lookups++;
            return Task.FromResult<IReadOnlyList<string>>(records.TryGetValue(name, out var ip) ? [ip] : []);
        }
    }

    private static (MembershipHarness H, List<SlotSpec> Slots, Dictionary<string, string> Pods, List<SimNode> Nodes) Cluster()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(Slot).ToList();
        var nodes = Ips.Select(ip => h.Cluster.Establish(ip, "dc1")).ToList();
        h.SetRf(("dc1", 3));
        return (h, slots, slots.Select((s, i) => (s.Address, Ips[i])).ToDictionary(p => p.Address, p => p.Item2), nodes);
    }

    private static IReadOnlyList<InstanceView> Running(List<SlotSpec> slots) =>
        slots.Select(s => new InstanceView(s.Slot, InstancePhase.Running, s.Slot)).ToList();

    [Fact]
    public void Nodes_reported_by_ip_are_keyed_by_the_slot_whose_name_answered_with_their_host_id() => SimulatedTime.Run(async () =>
    {
        var (h, slots, pods, nodes) = Cluster();
        var observer = new ClusterObserver(new HttpClient(h.Cluster), new PodForward(pods), h.Clock, new ScyllaRestOptions { GetRetries = 0 });

        var view = await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default));

        Assert.Equal(slots.Select(s => s.Address).Order(StringComparer.Ordinal), view.Nodes.Select(n => n.Address).Order(StringComparer.Ordinal));
        for (var i = 0; i < 3; i++)
        {
            var n = view.At(slots[i].Address)!;
            Assert.Equal(nodes[i].HostId, n.HostId);
            Assert.Equal(nodes[i].HostId, n.LocalHostId);
            Assert.True(n.IsUpNormal);
            Assert.Equal("dc1", n.Datacenter);
        }
        var spec = MembershipSpec.Create(slots, new Dictionary<string, int> { ["dc1"] = 3 });
        var history = new ObservationHistory(TimeSpan.FromMinutes(1));
        history.Record(view);
        Assert.True(MembershipDecider.Decide(new DecisionInput(spec, view, Running(slots), history, null, view.ObservedAt)).Converged);
    });

    [Fact]
    public void A_dead_pod_whose_name_no_longer_answers_is_still_its_slot_and_is_replaced_under_its_host_id() => SimulatedTime.Run(async () =>
    {
        var (h, slots, pods, nodes) = Cluster();
        var observer = new ClusterObserver(new HttpClient(h.Cluster), new PodForward(pods), h.Clock, new ScyllaRestOptions { GetRetries = 0 });
        var spec = MembershipSpec.Create(slots, new Dictionary<string, int> { ["dc1"] = 3 });
        var history = new ObservationHistory(TimeSpan.FromMinutes(1));
        history.Record(await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default)));

        h.Cluster.Kill(Ips[2]);
        pods.Remove(slots[2].Address); // the pod is gone (then back, empty, awaiting boot): nothing answers at its name
        ClusterView view;
        var until = h.Clock.GetUtcNow() + h.Cluster.MarkedDownAfter + spec.GracePeriod + TimeSpan.FromSeconds(10);
        do
        {
            h.Clock.Advance(TimeSpan.FromSeconds(5));
            view = await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default));
            history.Record(view);
        } while (h.Clock.GetUtcNow() < until);

        var dead = view.At(slots[2].Address)!;
        Assert.Equal(NodeStatus.Down, dead.Status);
        Assert.Equal(nodes[2].HostId, dead.HostId);
        Assert.Equal(3, view.Nodes.Count);
        var instances = Running(slots).Select(i => i.Slot == slots[2].Slot ? i with { Phase = InstancePhase.AwaitingBoot } : i).ToList();
        var decision = MembershipDecider.Decide(new DecisionInput(spec, view, instances, history, null, view.ObservedAt));
        var replace = Assert.Single(decision.Actions, a => a.Kind == ActionKind.Replace);
        Assert.Equal(slots[2].Slot, replace.Slot);
        Assert.Equal(nodes[2].HostId, replace.HostId);
    });

    [Fact]
    public void A_live_node_whose_rest_api_cannot_be_reached_is_matched_to_its_slot_by_dns() => SimulatedTime.Run(async () =>
    {
        var (h, slots, pods, nodes) = Cluster();
        var dns = new ClusterDns(new Dictionary<string, string>(pods));
        pods.Remove(slots[1].Address); // its agent (or port-forward) is down; ScyllaDB runs and gossips
        var observer = new ClusterObserver(new HttpClient(h.Cluster), new PodForward(pods), h.Clock, new ScyllaRestOptions { GetRetries = 0 }, dns);

        var view = await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default));

        var n = view.At(slots[1].Address)!;
        Assert.Equal(nodes[1].HostId, n.HostId);
        Assert.True(n.IsUpNormal);
        Assert.Null(n.LocalHostId); // nobody answered at its name
        Assert.Equal(3, view.Nodes.Count);
    });

    [Fact]
    public void An_ip_that_maps_to_no_slot_stays_unmatched() => SimulatedTime.Run(async () =>
    {
        var (h, slots, pods, _) = Cluster();
        var stray = h.Cluster.Establish("10.244.9.9", "dc1");
        var dns = new ClusterDns(new Dictionary<string, string>(pods));
        var observer = new ClusterObserver(new HttpClient(h.Cluster), new PodForward(pods), h.Clock, new ScyllaRestOptions { GetRetries = 0 }, dns);

        var view = await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default));

        Assert.Equal(4, view.Nodes.Count);
        Assert.Equal(stray.HostId, view.At("10.244.9.9")!.HostId); // keyed by its IP, as before: a member of no slot
        var spec = MembershipSpec.Create(slots, new Dictionary<string, int> { ["dc1"] = 3 });
        var history = new ObservationHistory(TimeSpan.FromMinutes(1));
        history.Record(view);
        Assert.False(MembershipDecider.Decide(new DecisionInput(spec, view, Running(slots), history, null, view.ObservedAt)).Converged);
    });

    [Fact]
    public void A_replacement_at_a_new_ip_takes_its_slot_once_it_answers_at_the_slot_name() => SimulatedTime.Run(async () =>
    {
        var (h, slots, pods, nodes) = Cluster();
        var observer = new ClusterObserver(new HttpClient(h.Cluster), new PodForward(pods), h.Clock, new ScyllaRestOptions { GetRetries = 0 });
        var spec = MembershipSpec.Create(slots, new Dictionary<string, int> { ["dc1"] = 3 });
        await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default));
        h.Cluster.Kill(Ips[2]);
        pods.Remove(slots[2].Address);
        h.Clock.Advance(h.Cluster.MarkedDownAfter + TimeSpan.FromSeconds(1));
        Assert.Equal(NodeStatus.Down, (await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default))).At(slots[2].Address)!.Status);

        // The StatefulSet recreates the pod with a new IP and an empty volume; it boots as the dead node's replacement.
        var replacement = h.Cluster.Replace("10.244.3.99", "dc1", nodes[2].HostId, []);
        pods[slots[2].Address] = "10.244.3.99";
        h.Clock.Advance(h.Cluster.OperationDuration + TimeSpan.FromSeconds(1));
        var view = await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default));

        var n = view.At(slots[2].Address)!;
        Assert.Equal(replacement.HostId, n.HostId);
        Assert.True(n.IsUpNormal);
        Assert.Null(view.At("10.244.3.99"));
        Assert.Null(view.WithHostId(nodes[2].HostId)); // replaced: gone from gossip
        var history = new ObservationHistory(TimeSpan.FromMinutes(5));
        history.Record(view);
        Assert.True(MembershipDecider.Decide(new DecisionInput(spec, view, Running(slots), history, null, view.ObservedAt)).Converged);
    });

    [Fact]
    public void A_dead_pod_matched_by_dns_alone_stays_its_slot_after_its_record_vanishes() => SimulatedTime.Run(async () =>
    {
        var (h, slots, pods, nodes) = Cluster();
        var records = new Dictionary<string, string>(pods);
        var dns = new ClusterDns(records);
        pods.Remove(slots[1].Address); // never reached at its name: only DNS ties its IP to the slot
        var observer = new ClusterObserver(new HttpClient(h.Cluster), new PodForward(pods), h.Clock, new ScyllaRestOptions { GetRetries = 0 }, dns);
        Assert.True((await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default))).At(slots[1].Address)!.IsUpNormal);

        h.Cluster.Kill(Ips[1]);
        records.Remove(slots[1].Address); // a pod that is gone has no record under the headless Service
        h.Clock.Advance(h.Cluster.MarkedDownAfter + TimeSpan.FromSeconds(1));
        var view = await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default));

        var n = view.At(slots[1].Address)!;
        Assert.Equal(NodeStatus.Down, n.Status);
        Assert.Equal(nodes[1].HostId, n.HostId);
        Assert.Null(view.At(Ips[1]));
    });

    [Fact]
    public async Task Two_nodes_claiming_one_slot_leave_it_to_the_one_that_answers_at_its_name_or_to_neither()
    {
        var book = new SlotAddressBook(null);
        string[] slotNames = ["a.svc", "b.svc"];
        var ids = new Dictionary<string, string> { ["10.0.0.1"] = "h-a", ["10.0.0.2"] = "h-b", ["10.0.0.3"] = "h-b2" };
        // Earlier polls: h-b answered at b.svc, then h-b2 did (a replacement at a new IP, its predecessor still listed).
        await book.KeysAsync(slotNames, [("a.svc", "h-a"), ("b.svc", "h-b")], ["10.0.0.1", "10.0.0.2"], ids, default);

        var now = await book.KeysAsync(slotNames, [("a.svc", "h-a"), ("b.svc", "h-b2")], ["10.0.0.1", "10.0.0.2", "10.0.0.3"], ids, default);
        Assert.Equal("a.svc", now["10.0.0.1"]);
        Assert.Equal("10.0.0.2", now["10.0.0.2"]); // the predecessor is a member of no slot
        Assert.Equal("b.svc", now["10.0.0.3"]);

        var silent = await book.KeysAsync(slotNames, [("a.svc", "h-a")], ["10.0.0.1", "10.0.0.2", "10.0.0.3"], ids, default);
        Assert.Equal("10.0.0.2", silent["10.0.0.2"]); // nobody answers at b.svc: no guess between the two
        Assert.Equal("10.0.0.3", silent["10.0.0.3"]);
    }

    [Fact]
    public async Task An_ipv6_address_matches_its_resolved_form_however_each_side_prints_it()
    {
        var book = new SlotAddressBook(new ClusterDns(new Dictionary<string, string> { ["a.svc"] = "fd00::7" }));
        var keys = await book.KeysAsync(["a.svc"], [], ["fd00:0:0:0:0:0:0:7"], new Dictionary<string, string>(), default);
        Assert.Equal("a.svc", keys["fd00:0:0:0:0:0:0:7"]);
    }

    [Fact]
    public void A_node_dead_before_the_observer_started_is_its_slot_once_the_slots_agent_names_its_host_id() => SimulatedTime.Run(async () =>
    {
        var (h, slots, pods, nodes) = Cluster();
        h.Cluster.Kill(Ips[0]);
        pods.Remove(slots[0].Address);
        h.Clock.Advance(h.Cluster.MarkedDownAfter + TimeSpan.FromSeconds(1));
        var observer = new ClusterObserver(new HttpClient(h.Cluster), new PodForward(pods), h.Clock, new ScyllaRestOptions { GetRetries = 0 });

        var before = await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default));
        Assert.Null(before.At(slots[0].Address)); // no evidence yet: its IP stays a member of no slot
        Assert.Equal(nodes[0].HostId, before.At(Ips[0])!.HostId);

        observer.Remember(slots[0].Address, nodes[0].HostId); // the slot's agent reports the host ID on its volume
        var after = await h.WhileTimePasses(observer.ObserveAsync(slots.Select(s => s.Address), default));
        Assert.Equal(NodeStatus.Down, after.At(slots[0].Address)!.Status);
        Assert.Null(after.At(Ips[0]));
    });
}
