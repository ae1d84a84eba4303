using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Tests.Components;

public sealed class SecurityMaterialTests
{
    private static ResourceGraph Declare(StackSpec stack)
    {
        var graph = new ResourceGraph("test", "scylla-apocryph");
        var cluster = graph.Component(ScyllaCluster.ClusterType, stack.Cluster.Name);
        SecurityMaterial.Declare(graph, Topology.Build(stack), cluster);
        return graph;
    }

    private static StackSpec NebulaWithOperator()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        return stack with { Cluster = stack.Cluster with { Membership = new ReconciliationSpec(new Uri("http://agent/"), "demo-operators") } };
    }

    [Fact]
    public void The_blocklist_tracks_the_operator_certificate_too_so_a_renewed_or_dropped_one_is_refused()
    {
        var graph = Declare(NebulaWithOperator());

        var blocklist = Assert.Single(graph.Resources, r => r.Type == "nebula:index:Blocklist");
        var tracked = blocklist.Inputs.Get("active")!.AsArray!.Value.Select(e => ((OutputReference)e.AsMap!.Get("fingerprint")!).Urn).ToHashSet();
        var certificates = graph.Resources.Where(r => r.Type == "nebula:index:Certificate").ToList();
        Assert.Contains(certificates, c => c.Name == "demo-operator-nebula");
        Assert.All(certificates, c => Assert.Contains(c.Urn, tracked));
    }
}
