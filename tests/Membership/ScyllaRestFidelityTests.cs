using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Tests.Components;
using ScyllaApocryph.Tests.Doubles;
using static ScyllaApocryph.Tests.Membership.MembershipHarness;

namespace ScyllaApocryph.Tests.Membership;

/// <summary>The REST answers of ScyllaDB 2025.1 (api/token_metadata.cc at scylla-2025.1.4), in the simulator and in what we make of them.</summary>
public sealed class ScyllaRestFidelityTests
{
    private static ScyllaRestClient Client(MembershipHarness h, string address) =>
        new(new HttpClient(h.Cluster), new Uri($"http://{address}:10000/"), h.Clock, new ScyllaRestOptions { GetRetries = 0 });

    [Fact]
    public async Task The_snitch_answers_the_default_location_with_200_for_a_host_it_does_not_know()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        var client = Client(h, slots[0].Address);

        Assert.Equal("datacenter1", await client.DatacenterOfAsync("10.9.9.9", default));
        Assert.Equal("rack1", await client.RackOfAsync("10.9.9.9", default));
        Assert.Equal("dc1", await client.DatacenterOfAsync(slots[1].Address, default));
    }

    [Fact]
    public async Task A_node_asked_about_too_early_is_not_pinned_to_the_default_datacenter()
    {
        var h = new MembershipHarness(cluster: clock => new ScyllaSimulator(clock) { TopologyLag = TimeSpan.FromSeconds(30) });
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        var added = Slot("dc2", 0);
        h.Cluster.Bootstrap(added.Address, added.Datacenter);
        var observer = new ClusterObserver(new HttpClient(h.Cluster), new DirectEndpointResolver(), h.Clock,
            new ScyllaRestOptions { GetRetries = 0 });
        var asked = slots.Select(s => s.Address).ToList(); // its peers only: their topology does not have it yet

        var early = await observer.ObserveAsync(asked, default);
        h.Clock.Advance(TimeSpan.FromSeconds(31));
        var later = await observer.ObserveAsync(asked, default);

        Assert.NotNull(early.At(added.Address)); // gossip lists it already...
        Assert.Null(early.At(added.Address)!.Datacenter); // ...but the default answer is not taken for its datacenter
        Assert.Equal("dc2", later.At(added.Address)!.Datacenter); // nor cached: once known, the real one shows
    }

    [Fact]
    public async Task The_host_id_map_lists_zero_token_nodes_so_a_down_arbiter_keeps_its_host_id()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).Append(Slot("arbiter", 0, zeroToken: true)).ToList();
        h.Autoscaler.Seed(slots);
        var arbiter = h.Cluster.Members.Single(n => n.ZeroToken);
        h.Autoscaler.Crash("arbiter-0");
        h.Clock.Advance(h.Cluster.MarkedDownAfter + TimeSpan.FromSeconds(1));

        var map = await Client(h, slots[0].Address).HostIdMapAsync(default);
        var view = await new ClusterObserver(new HttpClient(h.Cluster), new DirectEndpointResolver(), h.Clock,
            new ScyllaRestOptions { GetRetries = 0 }).ObserveAsync(slots.Select(s => s.Address), default);

        Assert.Equal(arbiter.HostId, map[arbiter.Address]);
        Assert.Equal((NodeStatus.Down, arbiter.HostId), (view.At(arbiter.Address)!.Status, view.At(arbiter.Address)!.HostId));
    }

    [Fact]
    public async Task The_observer_does_not_ask_for_moving_nodes_which_scylladb_always_answers_empty()
    {
        var h = new MembershipHarness();
        var slots = Enumerable.Range(0, 3).Select(i => Slot("dc1", i)).ToList();
        h.Autoscaler.Seed(slots);
        var recorder = new Recorder(h.Cluster);
        var observer = new ClusterObserver(new HttpClient(recorder), new DirectEndpointResolver(), h.Clock, new ScyllaRestOptions { GetRetries = 0 });

        await observer.ObserveAsync(slots.Select(s => s.Address), default);

        Assert.NotEmpty(recorder.Paths);
        Assert.DoesNotContain(recorder.Paths, p => p.Contains("/nodes/moving"));
    }

    [Fact]
    public void A_datacenter_named_like_the_snitch_default_is_refused()
    {
        var stack = ClusterFixtures.ThreeDatacenters();
        stack = stack with { Cluster = stack.Cluster with { Datacenters = [stack.Cluster.Datacenters[0] with { Name = "datacenter1" }, .. stack.Cluster.Datacenters.Skip(1)] } };

        var (errors, _) = ClusterRules.Check(stack, "scylla-apocryph");

        Assert.Contains(errors, e => e.Contains("datacenters[0].name") && e.Contains("datacenter1"));
    }

    [Fact]
    public async Task An_unreadable_answer_is_an_error_answer_so_the_observer_counts_the_node_as_unanswered()
    {
        var client = new ScyllaRestClient(new HttpClient(new Answering("[]")), new Uri("http://10.0.0.1:10000/"), TimeProvider.System,
            new ScyllaRestOptions { GetRetries = 0 });

        var error = await Assert.ThrowsAsync<ScyllaRestException>(() => client.DatacenterOfAsync("", default));

        Assert.Contains("unreadable answer", error.Message);
    }

    private sealed class Answering(string json) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(json) });
    }

    private sealed class Recorder(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public List<string> Paths { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Paths) Paths.Add(request.RequestUri!.AbsolutePath);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
