using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Compose;
using ScyllaApocryph.Components;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Tests.Components;

/// <summary>The one-host trial ends with a usable database, reachable from the host with hostname verification.</summary>
public sealed class ComposeTrialTests
{
    private static StackSpec Trial(SecurityMode security = SecurityMode.Tls, int nodes = 2) =>
        ClusterFixtures.ThreeDatacenters(nodes, security) with { ComposeDirectory = "out" };

    private static (Topology Topology, ResourceGraph Graph, YamlMappingNode Services) Declare(StackSpec stack)
    {
        var graph = new ResourceGraph(stack.Stack, stack.Project);
        var topology = ScyllaCluster.Declare(graph, stack);
        var compose = graph.Resources.Single(r => r.Type == ResourceTypes.File && r.Inputs.GetString("path") == "docker-compose.yaml");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(compose.Inputs.GetString("content")!));
        return (topology, graph, (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"]);
    }

    private static List<string> Strings(YamlNode node) => ((YamlSequenceNode)node).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();

    private static string Scalar(YamlMappingNode map, string key) => ((YamlScalarNode)map[key]).Value!;

    private static List<string> SanList(ResourceDeclaration certificate, string key) =>
        ((ArrayValue)certificate.Inputs[key]).Items.Select(i => i.AsString!).ToList();

    [Fact]
    public void Every_node_publishes_its_client_ports_on_an_address_its_certificate_names_and_advertises_that_address()
    {
        var (topology, graph, services) = Declare(Trial());
        var published = new HashSet<string>();
        foreach (var slot in topology.Slots)
        {
            var service = (YamlMappingNode)services[slot.Name];
            var certificate = graph.Resources.Single(r => r.Type == "tls:index:Certificate" && r.Name == slot.Name);
            var ports = Strings(service["ports"]);
            Assert.Equal(2, ports.Count); // CQL over TLS and its shard-aware port
            Assert.Contains(ports, p => p.EndsWith($":{topology.Cluster.Ports.CqlTls}:{topology.Cluster.Ports.CqlTls}", StringComparison.Ordinal));
            Assert.Contains(ports, p => p.EndsWith($":{topology.Cluster.Ports.CqlShardAwareTls}:{topology.Cluster.Ports.CqlShardAwareTls}", StringComparison.Ordinal));
            var address = ports.Select(p => p[..p.IndexOf(':')]).Distinct().Single();
            Assert.StartsWith("127.", address);
            Assert.True(published.Add(address), $"{address} is published twice");
            Assert.Contains(address, SanList(certificate, "ipAddresses"));
            Assert.Contains(slot.Name, SanList(certificate, "dnsNames")); // the name other containers dial
            // Drivers connect to what nodes advertise (system.peers): the same host address.
            var command = Strings(service["command"]);
            Assert.Equal(address, command[command.IndexOf("--broadcast-rpc-address") + 1]);
            Assert.Equal("unless-stopped", Scalar(service, "restart"));
        }
    }

    [Fact]
    public void Adding_a_node_moves_no_other_node_to_another_host_address()
    {
        var before = Topology.Build(Trial(nodes: 1));
        var after = Topology.Build(Trial(nodes: 2));
        foreach (var slot in before.Slots)
            Assert.Equal(ComposeFile.HostAddress(before, slot), ComposeFile.HostAddress(after, after.Slots.Single(s => s.Name == slot.Name)));
    }

    [Fact]
    public void A_one_shot_service_applies_the_keyspaces_with_cqlsh_once_every_node_is_healthy()
    {
        var (topology, _, services) = Declare(Trial());
        var keyspaces = (YamlMappingNode)services[ComposeFile.KeyspacesService];

        var dependsOn = (YamlMappingNode)keyspaces["depends_on"];
        Assert.Equal(topology.Slots.Select(s => s.Name).Order(), dependsOn.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order());
        Assert.All(dependsOn.Children.Values, v => Assert.Equal("service_healthy", Scalar((YamlMappingNode)v, "condition")));
        var entrypoint = Strings(keyspaces["entrypoint"]);
        Assert.Equal("cqlsh", entrypoint[0]);
        Assert.Contains("--ssl", entrypoint);
        Assert.Contains("--ssl", Strings(((YamlMappingNode)services[ComposeFile.CqlshService])["entrypoint"]));
        Assert.Equal($"{ComposeFile.ClientDirectory}/cqlshrc", entrypoint[entrypoint.IndexOf("--cqlshrc") + 1]);
        Assert.Equal($"{ComposeFile.ClientDirectory}/keyspaces.cql", entrypoint[entrypoint.IndexOf("-f") + 1]);
        Assert.Equal("on-failure", Scalar(keyspaces, "restart"));
        var mounts = Strings(keyspaces["volumes"]);
        foreach (var file in new[] { "cqlshrc", "keyspaces.cql", "ca.crt", "client.crt", "client.key" })
            Assert.Contains($"./{file}:{ComposeFile.ClientDirectory}/{file}:ro", mounts);
        // The interactive shell is not started by `up`, only by `docker compose run`.
        Assert.Equal(["tools"], Strings(((YamlMappingNode)services[ComposeFile.CqlshService])["profiles"]));
    }

    [Fact]
    public void The_cqlshrc_connects_over_tls_by_a_name_the_certificate_carries_validating_it_with_the_client_certificate()
    {
        var (topology, graph, _) = Declare(Trial());
        var rc = CqlshConfig.Render(topology);
        var ini = rc.Split('\n').Where(l => l.Contains(" = ")).ToDictionary(l => l[..l.IndexOf(" = ")], l => l[(l.IndexOf(" = ") + 3)..]);

        var contact = CqlshConfig.Contact(topology);
        var certificate = graph.Resources.Single(r => r.Type == "tls:index:Certificate" && r.Name == contact.Name);
        Assert.Contains(ini["hostname"], SanList(certificate, "dnsNames"));
        Assert.Equal(topology.Cluster.Ports.CqlTls.ToString(), ini["port"]);
        Assert.Equal("true", ini["ssl"]);
        Assert.Equal("true", ini["validate"]);
        Assert.Equal($"{ComposeFile.ClientDirectory}/ca.crt", ini["certfile"]);
        Assert.Equal($"{ComposeFile.ClientDirectory}/client.crt", ini["usercert"]);
        Assert.Equal($"{ComposeFile.ClientDirectory}/client.key", ini["userkey"]);
        Assert.Equal(topology.Cluster.SuperuserName, ini["username"]);
        Assert.Equal(CqlshConfig.PasswordToken, ini["password"]);
        // The compose directory gets the cqlshrc with the generated password, the CA and the client certificate and key.
        var files = graph.Resources.Where(r => r.Provider == ScyllaCluster.ComposeProvider).Select(r => r.Inputs.GetString("path")).ToList();
        Assert.Superset(new HashSet<string?> { "cqlshrc", "ca.crt", "client.crt", "client.key", "keyspaces.cql", "summary.md" }, files.ToHashSet());
    }

    [Fact]
    public void Without_tls_the_trial_publishes_plain_cql_and_cqlsh_needs_no_certificates()
    {
        var (topology, _, services) = Declare(Trial(SecurityMode.None));
        var alpha0 = (YamlMappingNode)services[topology.Slots[0].Name];
        Assert.Equal([$"127.0.1.1:{topology.Cluster.Ports.Cql}:{topology.Cluster.Ports.Cql}", $"127.0.1.1:{ScyllaApocryph.Components.Defaults.Ports.CqlShardAware}:{ScyllaApocryph.Components.Defaults.Ports.CqlShardAware}"],
            Strings(alpha0["ports"]));
        Assert.DoesNotContain("ssl", CqlshConfig.Render(topology));
        Assert.DoesNotContain("--ssl", Strings(((YamlMappingNode)services[ComposeFile.KeyspacesService])["entrypoint"]));
        Assert.Equal(["./cqlshrc:/etc/scylla-apocryph/cqlshrc:ro", "./keyspaces.cql:/etc/scylla-apocryph/keyspaces.cql:ro"],
            Strings(((YamlMappingNode)services[ComposeFile.KeyspacesService])["volumes"]));
    }

    [Fact]
    public void The_summary_tells_how_to_start_connect_and_stop_as_up_does()
    {
        var topology = Topology.Build(Trial());
        var plans = topology.Slots.Select(s => NodePlan.For(topology, s)).ToList();
        var summary = Summary.Markdown(topology, plans);
        foreach (var line in TrialInstructions.Lines(topology, ".")) Assert.Contains(line, summary);
        Assert.Contains("start:    docker compose up -d", summary);
        Assert.Contains("connect:  docker compose run --rm cqlsh", summary);
        Assert.Contains("stop:     docker compose down", summary);
    }
}
