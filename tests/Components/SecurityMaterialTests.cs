using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Tests.Components;

public sealed class SecurityMaterialTests
{
    private static ResourceGraph Declare(StackSpec stack)
    {
        var graph = new ResourceGraph("test", "scylla-apocryph");
        var cluster = graph.Component(ResourceTypes.Cluster, stack.Cluster.Name);
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

    [Fact]
    public void Node_certificates_carry_cluster_datacenter_and_role_groups_and_lighthouses_also_carry_lighthouse()
    {
        var stack = ClusterFixtures.Stack(SecurityMode.Nebula, new ArbiterSpec("third"), ("alpha", 2, ProviderKind.Render), ("beta", 2, ProviderKind.Render));
        var graph = Declare(stack);

        string[] Groups(string slot) => [.. graph.Resources.Single(r => r.Name == $"{slot}-nebula").Inputs.Get("groups")!.AsArray!.Value.Select(g => g.AsString!)];
        var topology = Topology.Build(stack);
        var lighthouses = ScyllaApocryph.Components.Mesh.NebulaMeshPlanner.LighthouseNames(SecurityMaterial.MeshSpec(topology));
        var alpha = topology.Slots.Where(s => s.Datacenter == "alpha").Select(s => s.Name).ToList();
        var arbiter = topology.Slots.Single(s => s.IsArbiter).Name;

        Assert.Contains(alpha[0], lighthouses);
        Assert.DoesNotContain(alpha[1], lighthouses);
        Assert.Equal(["demo", "alpha", "scylla", "lighthouse"], Groups(alpha[0]));
        Assert.Equal(["demo", "alpha", "scylla"], Groups(alpha[1]));
        Assert.Equal(["demo", "arbiter", "lighthouse"], Groups(arbiter));
    }

    [Fact]
    public void A_kubernetes_node_certificate_names_every_service_name_cluster_dns_answers_and_the_public_host()
    {
        var stack = ClusterFixtures.Stack(SecurityMode.Tls, null, ("alpha", 1, ProviderKind.Kubernetes), ("beta", 1, ProviderKind.Render), ("gamma", 1, ProviderKind.Render));
        var alpha = stack.Providers.Single(p => p.Name == "alpha");
        stack = stack with { Providers = [.. stack.Providers.Select(p => p == alpha ? p with { Settings = new Dictionary<string, string>(p.Settings) { ["publicHost"] = "k8s.example.net" } } : p)] };

        var cert = Declare(stack).Resources.Single(r => r.Type == "tls:index:Certificate" && r.Name == "demo-alpha-0");

        string[] dns = [.. cert.Inputs.Get("dnsNames")!.AsArray!.Value.Select(v => v.AsString!)];
        Assert.Equal(["demo-alpha-0", "demo-alpha-0.db", "demo-alpha-0.db.svc", "demo-alpha-0.db.svc.cluster.local", "k8s.example.net", "localhost"], dns);
        Assert.Equal(["127.0.0.1"], cert.Inputs.Get("ipAddresses")!.AsArray!.Value.Select(v => v.AsString!));
    }

    [Theory]
    [InlineData(SecurityMode.Tls)]
    [InlineData(SecurityMode.Nebula)]
    public void Configured_pki_settings_reach_every_ca_and_certificate_and_unset_ones_stay_out_of_the_inputs(SecurityMode mode)
    {
        var stack = NebulaWithOperator();
        stack = stack with { Cluster = stack.Cluster with { Security = mode, Membership = mode == SecurityMode.Nebula ? stack.Cluster.Membership : null } };
        var configured = Declare(stack with { Cluster = stack.Cluster with { Pki = new PkiSpec("1825d", "90d", "15d", 1) } });
        var unset = Declare(stack);

        static bool IsCa(ResourceDeclaration r) => r.Type.EndsWith(":index:CertificateAuthority", StringComparison.Ordinal);
        static bool IsCert(ResourceDeclaration r) => r.Type.EndsWith(":index:Certificate", StringComparison.Ordinal);
        var ca = Assert.Single(configured.Resources, IsCa);
        Assert.Equal("1825d", ca.Inputs.GetString("duration"));
        Assert.Equal(1, ca.Inputs.Get("rotation")!.AsNumber);
        var certs = configured.Resources.Where(IsCert).ToList();
        Assert.True(certs.Count > 3);
        Assert.All(certs, c => Assert.Equal(("90d", "15d"), (c.Inputs.GetString("duration"), c.Inputs.GetString("renewBefore"))));
        Assert.All(unset.Resources.Where(r => IsCa(r) || IsCert(r)), r =>
            Assert.DoesNotContain(r.Inputs.Keys, k => k is "duration" or "renewBefore" or "rotation"));
    }
}
