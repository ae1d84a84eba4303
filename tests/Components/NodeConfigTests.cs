using ScyllaApocryph.Components.Cluster;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Tests.Components;

public sealed class NodeConfigTests
{
    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Get(YamlMappingNode map, string key) => ((YamlScalarNode)map[key]).Value!;

    [Fact]
    public void Every_node_has_the_same_cluster_name_and_snitch_and_its_own_broadcast_address()
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters());

        var configs = topology.Slots.Select(s => (Slot: s, Yaml: Parse(ScyllaNodeConfig.ScyllaYaml(topology, s)))).ToList();

        Assert.All(configs, c => Assert.Equal("demo", Get(c.Yaml, "cluster_name")));
        Assert.All(configs, c => Assert.Equal("GossipingPropertyFileSnitch", Get(c.Yaml, "endpoint_snitch")));
        Assert.All(configs, c => Assert.Equal(c.Slot.Address, Get(c.Yaml, "broadcast_address")));
        Assert.All(configs, c => Assert.Equal("127.0.0.1", Get(c.Yaml, "api_address")));
    }

    [Fact]
    public void Rendering_is_deterministic()
    {
        var a = Topology.Build(ClusterFixtures.ThreeDatacenters());
        var b = Topology.Build(ClusterFixtures.ThreeDatacenters());

        Assert.Equal(a.Slots.Select(s => ScyllaNodeConfig.ScyllaYaml(a, s)), b.Slots.Select(s => ScyllaNodeConfig.ScyllaYaml(b, s)));
    }

    [Fact]
    public void Tls_mode_encrypts_all_internode_traffic_and_requires_client_certificates()
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters(security: SecurityMode.Tls));

        var yaml = Parse(ScyllaNodeConfig.ScyllaYaml(topology, topology.Slots[0]));

        var server = (YamlMappingNode)yaml["server_encryption_options"];
        Assert.Equal("all", Get(server, "internode_encryption"));
        Assert.Equal("true", Get(server, "require_client_auth"));
        var client = (YamlMappingNode)yaml["client_encryption_options"];
        Assert.Equal("true", Get(client, "enabled"));
        Assert.Equal("true", Get(client, "require_client_auth"));
    }

    [Fact]
    public void Plain_mode_has_no_encryption_options()
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters(security: SecurityMode.None));

        var yaml = Parse(ScyllaNodeConfig.ScyllaYaml(topology, topology.Slots[0]));

        Assert.False(yaml.Children.ContainsKey("server_encryption_options"));
    }

    [Fact]
    public void The_arbiter_does_not_join_the_ring_and_is_never_a_seed()
    {
        var topology = Topology.Build(ClusterFixtures.Stack(SecurityMode.Tls, new ArbiterSpec("third"), ("alpha", 3, ProviderKind.Render), ("beta", 3, ProviderKind.Render)));
        var arbiter = topology.Arbiter!;

        Assert.Equal("false", Get(Parse(ScyllaNodeConfig.ScyllaYaml(topology, arbiter)), "join_ring"));
        Assert.False(topology.IsSeed(arbiter));
        Assert.False(Parse(ScyllaNodeConfig.ScyllaYaml(topology, topology.Slots[0])).Children.ContainsKey("join_ring"));
    }

    [Fact]
    public void The_superuser_hash_is_a_placeholder_until_the_password_exists()
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters());

        var yaml = Parse(ScyllaNodeConfig.ScyllaYaml(topology, topology.Slots[0]));

        Assert.Equal("PasswordAuthenticator", Get(yaml, "authenticator"));
        Assert.Equal("CassandraAuthorizer", Get(yaml, "authorizer"));
        Assert.Equal(ScyllaNodeConfig.SuperuserHashToken, Get(yaml, "auth_superuser_salted_password"));
    }

    [Fact]
    public void With_outside_reconciliation_the_REST_API_moves_to_the_overlay_behind_the_operator_group()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        var topology = Topology.Build(stack with { Cluster = stack.Cluster with { Membership = new ReconciliationSpec(new Uri("http://agent/"), "ops") } });

        var yaml = Parse(ScyllaNodeConfig.ScyllaYaml(topology, topology.Slots[0]));
        var firewall = ScyllaApocryph.Components.Mesh.NebulaMeshPlanner.Plan(SecurityMaterial.MeshSpec(topology))[0].Firewall;

        Assert.Equal(topology.Slots[0].OverlayIp, Get(yaml, "api_address"));
        var rest = Assert.Single(firewall.Inbound, r => r.Port == "10000");
        Assert.Equal("ops", rest.Group);
    }

    [Fact]
    public void In_nebula_mode_the_overlay_firewall_opens_exactly_the_ports_scylla_yaml_listens_on()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        var cluster = stack.Cluster with { Ports = new PortSpec(Storage: 7100, Cql: 9100), Membership = new ReconciliationSpec(new Uri("http://agent/"), "ops") };
        var topology = Topology.Build(stack with { Cluster = cluster });

        var yaml = Parse(ScyllaNodeConfig.ScyllaYaml(topology, topology.Slots[0]));
        var firewall = ScyllaApocryph.Components.Mesh.NebulaMeshPlanner.Plan(SecurityMaterial.MeshSpec(topology))[0].Firewall;

        var tcp = firewall.Inbound.Where(r => r.Proto == "tcp").Select(r => r.Port).Order().ToList();
        var listening = new[] { "storage_port", "native_transport_port", "native_shard_aware_transport_port", "api_port" }.Select(k => Get(yaml, k)).Order().ToList();
        Assert.Equal(listening, tcp.Distinct());
        Assert.Contains(firewall.Inbound, r => r.Port == "7100" && r.Group == "demo");
        Assert.Contains(firewall.Inbound, r => r.Port == "9100" && r.Group == "demo");
        Assert.DoesNotContain(firewall.Inbound, r => r.Port is "7000" or "9042");
    }

    [Fact]
    public void Rack_and_datacenter_properties_name_the_slot_and_prefer_local()
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters());

        var text = ScyllaNodeConfig.RackDcProperties(topology.Slots[4]);

        Assert.Contains("dc=beta\n", text);
        Assert.Contains("rack=rack1\n", text);
        Assert.Contains("prefer_local=true\n", text);
    }

    [Theory]
    [InlineData(2.0, false, "2", "0")]
    [InlineData(1.5, false, "1", "1")]
    [InlineData(4.0, true, "4", "1")]
    public void Arguments_fix_shards_and_memory_below_the_container_limit(double cpu, bool developer, string smp, string overprovisioned)
    {
        var stack = ClusterFixtures.ThreeDatacenters();
        var topology = Topology.Build(stack with { Cluster = stack.Cluster with { Resources = new NodeResources(cpu, 4L << 30, 10L << 30), DeveloperMode = developer } });

        var args = ScyllaNodeConfig.Arguments(topology, topology.Slots[0]);

        string After(string flag) => args[args.ToList().IndexOf(flag) + 1];
        Assert.Equal(smp, After("--smp"));
        Assert.Equal(overprovisioned, After("--overprovisioned"));
        Assert.Equal("3481M", After("--memory"));
        Assert.Equal("127.0.0.1", After("--api-address"));
        Assert.DoesNotContain("--listen-address", args); // the image's entrypoint picks the container's own IP
        Assert.Equal(developer ? "1" : "0", After("--developer-mode"));
    }

    [Theory]
    [InlineData(SecurityMode.Tls)]
    [InlineData(SecurityMode.Nebula)]
    public void Arguments_repeat_what_the_image_entrypoint_would_otherwise_override_in_scylla_yaml(SecurityMode security)
    {
        // The ScyllaDB image's entrypoint passes its own defaults as flags, which beat scylla.yaml: seeds = the node
        // itself (every node would found its own cluster), and listen address = the container's first IP.
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters(security: security));

        foreach (var slot in topology.Slots)
        {
            var yaml = Parse(ScyllaNodeConfig.ScyllaYaml(topology, slot));
            var args = ScyllaNodeConfig.Arguments(topology, slot, listenAddress: "$(POD_IP)").ToList();
            string After(string flag) => args[args.IndexOf(flag) + 1];

            var seedProvider = (YamlMappingNode)((YamlSequenceNode)yaml["seed_provider"])[0];
            var yamlSeeds = Get((YamlMappingNode)((YamlSequenceNode)seedProvider["parameters"])[0], "seeds");
            Assert.Equal(yamlSeeds, After("--seeds"));
            Assert.Equal(Get(yaml, "api_address"), After("--api-address"));
            Assert.Equal(security == SecurityMode.Nebula ? slot.OverlayIp : "$(POD_IP)", After("--listen-address"));
        }
    }

    [Fact]
    public void In_tls_mode_the_only_cql_ports_are_encrypted()
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters(security: SecurityMode.Tls));

        var yaml = Parse(ScyllaNodeConfig.ScyllaYaml(topology, topology.Slots[0]));

        // With client encryption on and no *_ssl port, ScyllaDB encrypts the native transport ports themselves.
        Assert.Equal(topology.Cluster.Ports.CqlTls.ToString(), Get(yaml, "native_transport_port"));
        Assert.Equal("19142", Get(yaml, "native_shard_aware_transport_port"));
        Assert.False(yaml.Children.ContainsKey("native_transport_port_ssl"));
        Assert.False(yaml.Children.ContainsKey("native_shard_aware_transport_port_ssl"));
    }

    [Fact]
    public void When_membership_is_reconciled_over_the_overlay_every_check_inside_the_pod_asks_the_overlay_api()
    {
        var stack = ClusterFixtures.ThreeDatacenters(security: SecurityMode.Nebula);
        var topology = Topology.Build(stack with { Cluster = stack.Cluster with { Membership = new ReconciliationSpec(new Uri("http://hooks.example"), "operators") } });
        var slot = topology.Slots[0];

        var plan = NodePlan.For(topology, slot);

        var url = $"http://{slot.OverlayIp}:{ScyllaApocryph.Components.Defaults.Ports.RestApi}";
        Assert.Equal(slot.OverlayIp, Get(Parse(ScyllaNodeConfig.ScyllaYaml(topology, slot)), "api_address"));
        Assert.Contains($"API = \"{url}\"", plan.Files.Single(f => f.Key == ReadinessCheck.FileName).Text);
        Assert.Contains(url, plan.AgentArguments);
    }
}
