using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Deployment;
using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Providers.Scylla;
using ScyllaApocryph.Tests.Components;
using ScyllaApocryph.Tests.Doubles;

namespace ScyllaApocryph.Tests.Membership;

/// <summary>The Membership resource as the program declares it, run by the engine against the ScyllaDB simulator.</summary>
public sealed class MembershipWiringTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("membership-state-").FullName;
    private readonly MembershipHarness _h = new();

    public void Dispose() => Directory.Delete(_state, true);

    private static Topology Topology(int nodesPerDc)
    {
        var stack = ClusterFixtures.Stack(SecurityMode.Nebula, null,
            ("alpha", nodesPerDc, ProviderKind.Render), ("beta", nodesPerDc, ProviderKind.Render), ("gamma", nodesPerDc, ProviderKind.Render));
        return ScyllaApocryph.Components.Cluster.Topology.Build(stack with
        {
            Cluster = stack.Cluster with { Membership = new ReconciliationSpec(new Uri("http://hooks.invalid/"), "operators") },
        });
    }

    private static ResourceGraph Graph(Topology topology)
    {
        var graph = new ResourceGraph("test", "scylla-apocryph");
        var cluster = graph.Component(ResourceTypes.Cluster, "demo");
        ClusterOperations.Declare(graph, topology, cluster, []);
        return graph;
    }

    /// <summary>
    /// The engine starts its steps on the simulated-time thread (not the thread pool), so the clock moves only once the
    /// reconciler is blocked on it: the outcome cannot depend on how fast this machine is. The HttpClient has no Timeout
    /// of its own, which would run on a real timer.
    /// </summary>
    private DeploymentEngine Engine() => new(new ProviderRegistry().Add(ClusterOperations.MembershipProvider, new MembershipProvider(
        new MembershipProviderContext(new HttpClient(_h.Cluster) { Timeout = Timeout.InfiniteTimeSpan }, new DirectEndpointResolver(),
            _h.Hooks, _h.Lease, _h.Journal, _h.Clock,
            new ReconcilerOptions("test") { PollInterval = MembershipHarness.Poll }) { Rest = new ScyllaRestOptions { GetRetries = 0 } })),
        inlineSteps: true);

    /// <summary>Runs up while simulated time passes, one poll interval each time nothing can run without it.</summary>
    private async Task<DeploymentResult> Up(Topology topology)
    {
        using var store = StateStore.Open(_state, PassphraseCipher.Open(_state, "p", 1000));
        return await _h.WhileTimePasses(Engine().UpAsync(Graph(topology), store), MembershipHarness.Poll);
    }

    private static IEnumerable<SlotSpec> Slots(Topology topology) =>
        topology.Slots.Select(s => new SlotSpec(s.Name, s.Datacenter, s.Ordinal, s.Address, s.IsArbiter));

    [Fact]
    public void Preview_shows_what_membership_would_do_and_up_does_it() => SimulatedTime.Run(async () =>
    {
        var running = Topology(2);
        _h.Autoscaler.Seed(Slots(running));
        _h.SetRf(("alpha", 2), ("beta", 2), ("gamma", 2));
        await Up(running);
        var grown = Topology(3);
        foreach (var slot in Slots(grown).Where(s => s.Ordinal == 2))
        {
            _h.Autoscaler.AddSlot(slot);
            _h.Autoscaler.Recreate(slot.Slot); // a new instance with an empty volume
        }

        using (var store = StateStore.Open(_state, PassphraseCipher.Open(_state, "p", 1000)))
        {
            var plan = await _h.WhileTimePasses(Engine().PreviewAsync(Graph(grown), store.State), MembershipHarness.Poll);
            var step = plan.Outcomes.Single(o => o.Step.Type == ResourceTypes.Membership).Step;
            Assert.Contains(step.Notes, n => n.StartsWith("join", StringComparison.Ordinal));
        }
        Assert.DoesNotContain(_h.Cluster.Accepted, a => a.StartsWith("bootstrap", StringComparison.Ordinal));

        var result = await Up(grown);

        Assert.True(result.Succeeded, string.Join("\n", result.Outcomes.Select(o => o.Error)));
        var nodes = result.Outputs.Get("membership")!.AsArray!.Value;
        Assert.Equal(9, nodes.Length);
        Assert.All(nodes, n => Assert.Equal("UN", n.AsMap!.GetString("status")));
        Assert.Equal(3, _h.Cluster.Accepted.Count(a => a.StartsWith("bootstrap", StringComparison.Ordinal)));
    });

    [Fact]
    public void The_inputs_carry_every_slot_address_and_the_replication_each_datacenter_must_keep()
    {
        var inputs = ClusterOperations.MembershipInputs(Topology(3));

        Assert.Equal(9, inputs.Get("slots")!.AsArray!.Value.Length);
        Assert.Equal("10.42.2.11", inputs.Get("slots")!.AsArray!.Value[4].AsMap!.GetString("address"));
        Assert.Equal(3, inputs.Get("replicationFactors")!.AsMap!.Get("beta")!.AsNumber);
    }

    [Fact]
    public void A_datacenter_the_operator_retired_carries_replication_zero_so_its_nodes_may_leave()
    {
        var stack = ClusterFixtures.Stack(SecurityMode.Nebula, null, ("alpha", 3, ProviderKind.Render), ("beta", 3, ProviderKind.Render));
        var topology = ScyllaApocryph.Components.Cluster.Topology.Build(stack with
        {
            Cluster = stack.Cluster with { Membership = new ReconciliationSpec(new Uri("http://hooks.invalid/"), "operators") { RetiredDatacenters = ["gamma"] } },
        });

        var rf = ClusterOperations.MembershipInputs(topology).Get("replicationFactors")!.AsMap!;

        Assert.Equal(0, rf.Get("gamma")!.AsNumber);
        Assert.Equal(3, rf.Get("alpha")!.AsNumber);
    }
}
