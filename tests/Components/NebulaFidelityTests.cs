using k8s.Models;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Kubernetes;
using ScyllaApocryph.Components.Mesh;
using ScyllaApocryph.Infra.Config;

namespace ScyllaApocryph.Tests.Components;

public sealed class NebulaFidelityTests
{
    private static (IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings) Check(StackSpec stack) => ClusterRules.Check(stack, "scylla-apocryph");

    private static StackSpec WithPublicHost(StackSpec stack, string provider, string host) => stack with
    {
        Providers = [.. stack.Providers.Select(p => p.Name == provider ? p with { Settings = new Dictionary<string, string>(p.Settings) { ["publicHost"] = host } } : p)],
    };

    private static V1Container Sidecar(Topology topology) =>
        KubernetesManifests.Node(NodePlan.For(topology, topology.Slots[0]), "db", null).OfType<V1StatefulSet>().Single()
            .Spec.Template.Spec.InitContainers.Single(c => c.Name == "nebula");

    [Fact]
    public void The_sidecar_image_is_configuration_and_defaults_to_an_official_image_that_exists()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);

        Assert.Equal("docker.io/nebulaoss/nebula:1.9.7", Sidecar(Topology.Build(stack)).Image);
        Assert.True(NebulaRelease.ImageVersion(NebulaRelease.DefaultImage) >= new Version(1, 9, 0)); // nebulaoss/nebula starts at 1.9.0
        var custom = stack with { Cluster = stack.Cluster with { NebulaImage = "registry.example/nebula:1.10.3" } };
        Assert.Equal("registry.example/nebula:1.10.3", Sidecar(Topology.Build(custom)).Image);
    }

    [Fact]
    public void The_loader_reads_the_nebula_image()
    {
        const string yaml = """
            config:
              scylla-apocryph:cluster:
                name: demo
                image: scylladb/scylla:2025.1.4
                nebulaImage: registry.example/nebula:1.9.5
                allowFragileTopology: true
                nodeResources: { cpu: 1, memory: 2Gi, disk: 10Gi }
                datacenters: [{ name: dc1, provider: p1, nodes: 1 }]
              scylla-apocryph:providers:
                p1: { kind: render, directory: out/p1 }
            """;

        Assert.Equal("registry.example/nebula:1.9.5", StackConfigLoader.Parse("scylla-apocryph", "t", "f", yaml).Cluster.NebulaImage);
    }

    [Theory]
    [InlineData(ProviderKind.Render)]
    [InlineData(ProviderKind.Kubernetes)]
    public void Every_provider_that_renders_kubernetes_manifests_gives_each_node_its_own_nodeport(ProviderKind kind)
    {
        var stack = ClusterFixtures.Stack(SecurityMode.Nebula, null, ("alpha", 3, kind), ("beta", 2, ProviderKind.Render), ("gamma", 2, ProviderKind.Render));
        stack = WithPublicHost(stack, "alpha", "203.0.113.5");
        var topology = Topology.Build(stack);

        var nodePorts = topology.Slots.Where(s => s.Datacenter == "alpha")
            .Select(s => KubernetesManifests.Node(NodePlan.For(topology, s), "db", null).OfType<V1Service>().Single(v => v.Spec.Type == "NodePort"))
            .Select(v => v.Spec.Ports.Single().NodePort!.Value).ToList();

        Assert.Empty(Check(stack).Errors);
        Assert.All(nodePorts, p => Assert.InRange(p, ClusterRules.NodePortMin, ClusterRules.NodePortMax));
        Assert.Equal(nodePorts.Count, nodePorts.Distinct().Count());
    }

    [Fact]
    public void A_render_provider_in_nebula_mode_is_held_to_the_nodeport_range()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        stack = stack with { Cluster = stack.Cluster with { Ports = new PortSpec(NebulaUdp: 4242) } };

        Assert.Contains(Check(stack).Errors, e => e.StartsWith("scylla-apocryph:cluster.ports.nebulaUdp: 4242 must be a NodePort", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_kubernetes_providers_on_one_kubernetes_cluster_are_refused_in_nebula_mode()
    {
        var stack = ClusterFixtures.Stack(SecurityMode.Nebula, null, ("alpha", 1, ProviderKind.Kubernetes), ("beta", 1, ProviderKind.Kubernetes), ("gamma", 1, ProviderKind.Render));
        stack = WithPublicHost(WithPublicHost(stack, "alpha", "203.0.113.5"), "beta", "203.0.113.6");

        var error = Assert.Single(Check(stack).Errors);

        Assert.StartsWith("scylla-apocryph:providers.beta.context: providers 'alpha' and 'beta' share the Kubernetes context 'minikube'", error);
    }

    [Fact]
    public void Static_host_map_holds_the_providers_addresses_not_node_names()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        stack = WithPublicHost(stack, "beta", "198.51.100.7");
        var topology = Topology.Build(stack);

        var hosts = NebulaMeshPlanner.Plan(SecurityMaterial.MeshSpec(topology)).SelectMany(c => c.StaticHostMap.Values.SelectMany(v => v)).Distinct().ToList();

        Assert.All(hosts, h => Assert.False(NebulaRelease.IsName(h[..h.LastIndexOf(':')]), h));
        Assert.Contains("198.51.100.7:30042", hosts);
    }

    [Theory]
    [InlineData("docker.io/nebulaoss/nebula:1.6.1", true, false)]
    [InlineData("docker.io/nebulaoss/nebula:1.7.0", false, false)]
    [InlineData("docker.io/nebulaoss/nebula:1.9.7", false, false)]
    [InlineData("docker.io/nebulaoss/nebula:latest", false, true)]
    public void A_host_name_in_static_host_map_needs_nebula_1_7_and_preview_checks_the_image(string image, bool refused, bool warned)
    {
        var stack = WithPublicHost(ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula), "alpha", "k8s.example.net");
        stack = stack with { Cluster = stack.Cluster with { NebulaImage = image } };

        var (errors, warnings) = Check(stack);

        Assert.Equal(refused, errors.Any(e => e.StartsWith("scylla-apocryph:cluster.nebulaImage:", StringComparison.Ordinal) && e.Contains("1.7.0") && e.Contains("k8s.example.net")));
        Assert.Equal(warned, warnings.Any(w => w.StartsWith("scylla-apocryph:cluster.nebulaImage:", StringComparison.Ordinal)));
        var addresses = WithPublicHost(ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula), "alpha", "203.0.113.9");
        Assert.Empty(Check(addresses with { Cluster = addresses.Cluster with { NebulaImage = image } }).Errors);
    }

    [Fact]
    public void With_membership_a_host_name_tells_the_operator_which_nebula_to_join_with()
    {
        var stack = WithPublicHost(ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula), "alpha", "k8s.example.net");
        stack = stack with { Cluster = stack.Cluster with { Membership = new ReconciliationSpec(new Uri("http://agent/"), "ops") } };

        Assert.Contains(Check(stack).Warnings, w => w.StartsWith("scylla-apocryph:cluster.membership:", StringComparison.Ordinal) && w.Contains("1.7.0"));
    }

    [Theory]
    [InlineData("nebulaoss/nebula:1.9.7", "1.9.7")]
    [InlineData("registry:5000/nebula:v1.10.0", "1.10.0")]
    [InlineData("registry:5000/nebula", null)]
    [InlineData("nebulaoss/nebula@sha256:abcd", null)]
    [InlineData("nebulaoss/nebula:latest", null)]
    public void The_version_is_read_from_the_image_tag(string image, string? version)
    {
        Assert.Equal(version, NebulaRelease.ImageVersion(image)?.ToString(3));
    }
}
