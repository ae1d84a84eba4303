using ScyllaApocryph.Components.Cluster;

namespace ScyllaApocryph.Tests.Components;

public sealed class TopologyTests
{
    [Fact]
    public void Every_node_but_the_founder_seeds_only_earlier_slots_and_never_itself()
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters());

        foreach (var node in topology.Slots.Skip(1))
        {
            var seeds = topology.SeedsFor(node);
            Assert.NotEmpty(seeds);
            Assert.DoesNotContain(node, seeds);
            Assert.All(seeds, s => Assert.True(s.Index < node.Index, $"{node.Name} seeds later slot {s.Name}"));
            Assert.True(seeds.GroupBy(s => s.Datacenter).All(g => g.Count() <= Topology.SeedsPerDatacenter));
        }
        var founder = topology.Slots[0];
        Assert.Equal([founder], topology.SeedsFor(founder));
    }

    [Fact]
    public void Seeds_are_chosen_in_a_stable_order()
    {
        var a = Topology.Build(ClusterFixtures.ThreeDatacenters());
        var b = Topology.Build(ClusterFixtures.ThreeDatacenters());

        Assert.Equal(a.Slots.Select(s => string.Join(",", a.SeedsFor(s).Select(x => x.Name))), b.Slots.Select(s => string.Join(",", b.SeedsFor(s).Select(x => x.Name))));
        Assert.Equal(["demo-alpha-0", "demo-alpha-1"], a.SeedsFor(a.Slots.Single(s => s.Name == "demo-beta-0")).Select(s => s.Name));
    }

    [Theory]
    [InlineData(SecurityMode.Tls)]
    [InlineData(SecurityMode.Nebula)]
    public void Broadcast_addresses_are_unique(SecurityMode security)
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters(security: security));

        Assert.Equal(topology.Slots.Count, topology.Slots.Select(s => s.Address).Distinct().Count());
    }

    [Fact]
    public void Adding_a_node_or_a_datacenter_changes_no_existing_node_identity()
    {
        var before = Topology.Build(ClusterFixtures.Stack(SecurityMode.Nebula, null, ("alpha", 2, ProviderKind.Render), ("beta", 2, ProviderKind.Render), ("gamma", 1, ProviderKind.Render)));
        var after = Topology.Build(ClusterFixtures.Stack(SecurityMode.Nebula, null, ("alpha", 3, ProviderKind.Render), ("beta", 2, ProviderKind.Render), ("gamma", 1, ProviderKind.Render), ("delta", 1, ProviderKind.Render)));

        foreach (var old in before.Slots)
        {
            var now = after.Slots.Single(s => s.Name == old.Name);
            Assert.Equal((old.Address, old.OverlayIp, old.Datacenter, old.Rack, old.Ordinal), (now.Address, now.OverlayIp, now.Datacenter, now.Rack, now.Ordinal));
        }
    }

    [Fact]
    public void Overlay_addresses_derive_from_datacenter_position_and_ordinal()
    {
        var topology = Topology.Build(ClusterFixtures.Stack(SecurityMode.Nebula, new ArbiterSpec("third"), ("alpha", 2, ProviderKind.Render), ("beta", 2, ProviderKind.Render)));

        Assert.Equal(["10.42.1.10", "10.42.1.11", "10.42.2.10", "10.42.2.11", "10.42.255.10"], topology.Slots.Select(s => s.Address));
    }

    [Fact]
    public void Nodes_are_spread_over_the_datacenter_racks_in_turn()
    {
        var stack = ClusterFixtures.ThreeDatacenters(nodes: 4);
        stack = stack with { Cluster = stack.Cluster with { Datacenters = [stack.Cluster.Datacenters[0] with { Racks = ["r1", "r2"] }, .. stack.Cluster.Datacenters.Skip(1)] } };

        var racks = Topology.Build(stack).InDatacenter("alpha").Select(s => s.Rack);

        Assert.Equal(["r1", "r2", "r1", "r2"], racks);
    }

    [Fact]
    public void Addresses_follow_the_provider_kind_outside_the_overlay()
    {
        var topology = Topology.Build(ClusterFixtures.Stack(SecurityMode.Tls, null,
            ("kube", 1, ProviderKind.Kubernetes), ("apo", 1, ProviderKind.Apocryph), ("file", 1, ProviderKind.Render)));

        Assert.Equal(["demo-kube-0.db.svc.cluster.local", "provider.example", "demo-file-0"], topology.Slots.Select(s => s.Address));
    }

    [Fact]
    public void Changing_a_deployed_nodes_rack_datacenter_or_address_is_reported()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        var deployed = Topology.Build(stack).Slots.Select(s => new DeployedNode(s.Name, s.Datacenter, s.Rack, s.Address)).ToList();
        var racks = stack.Cluster.Datacenters.Select(d => d.Name == "beta" ? d with { Racks = ["r1", "r2"] } : d).ToList();
        var reordered = stack.Cluster.Datacenters.Reverse().ToList();

        var sameLayout = Topology.Build(stack with { Deployed = deployed }).IdentityChanges();
        var newRacks = Topology.Build(stack with { Cluster = stack.Cluster with { Datacenters = racks }, Deployed = deployed }).IdentityChanges();
        var newOrder = Topology.Build(stack with { Cluster = stack.Cluster with { Datacenters = reordered }, Deployed = deployed }).IdentityChanges();
        var grown = Topology.Build(stack with { Cluster = stack.Cluster with { Datacenters = [.. stack.Cluster.Datacenters.Select(d => d with { Nodes = 4 })] }, Deployed = deployed }).IdentityChanges();

        Assert.Empty(sameLayout);
        Assert.Empty(grown);
        Assert.Contains("node demo-beta-0 would move from rack rack1 to r1", newRacks);
        Assert.Contains(newOrder, c => c.StartsWith("node demo-alpha-0 would change its address from 10.42.1.10 to 10.42.3.10", StringComparison.Ordinal));
    }

    [Fact]
    public void The_stack_rules_refuse_an_identity_change_with_the_reason()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        var deployed = Topology.Build(stack).Slots.Select(s => new DeployedNode(s.Name, s.Datacenter, s.Rack, s.Address)).ToList();
        var reordered = stack with { Cluster = stack.Cluster with { Datacenters = stack.Cluster.Datacenters.Reverse().ToList() }, Deployed = deployed };

        var errors = ClusterRules.Check(reordered, "scylla-apocryph").Errors;

        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:cluster.datacenters: node demo-alpha-0 would change its address", StringComparison.Ordinal) && e.Contains("add new ones at the end"));
    }
}
