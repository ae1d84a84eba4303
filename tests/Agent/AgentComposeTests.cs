using ScyllaApocryph.Agent;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components.Compose;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Tests.Components;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>The compose trial with the node agent starts ScyllaDB with the same arguments as without it.</summary>
public sealed class AgentComposeTests
{
    private static List<string> Strings(YamlNode node) => ((YamlSequenceNode)node).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();

    /// <summary>The arguments without the ones the agent sets for each boot (seeds from ready peers, the REST API on loopback).</summary>
    private static List<string> Stable(IEnumerable<string> args)
    {
        var list = args.ToList();
        foreach (var flag in new[] { "--seeds", "--api-address" })
            if (list.IndexOf(flag) is var i and >= 0) list.RemoveRange(i, 2);
        return list;
    }

    private static YamlMappingNode Services(StackSpec stack, out Topology topology)
    {
        var graph = new ResourceGraph(stack.Stack, stack.Project);
        topology = ScyllaCluster.Declare(graph, stack);
        var compose = graph.Resources.Single(r => r.Type == ScyllaApocryph.Components.ResourceTypes.File && r.Inputs.GetString("path") == "docker-compose.yaml");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(compose.Inputs.GetString("content")!));
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    [Theory]
    [InlineData(SecurityMode.Tls)]
    [InlineData(SecurityMode.None)]
    public void With_the_agent_compose_nodes_advertise_their_host_address_to_drivers_as_without_it(SecurityMode security)
    {
        var plain = ClusterFixtures.ThreeDatacenters(2, security) with { ComposeDirectory = "out" };
        var withAgent = plain with { Cluster = plain.Cluster with { AgentImage = "registry.example/agent:1" } };
        var before = Services(plain, out _);
        var after = Services(withAgent, out var topology);
        var dir = Directory.CreateTempSubdirectory("agent-compose").FullName;
        try
        {
            foreach (var slot in topology.Slots)
            {
                var command = Strings(((YamlMappingNode)after[slot.Name])["command"]);
                Assert.Equal(AgentConfigFile.ImageBinary, command[0]);
                var run = RunCommand.Parse(command.Skip(1).ToList());
                Assert.NotNull(run);
                var path = Path.Combine(dir, slot.Name + ".json");
                File.WriteAllText(path, NodePlan.For(topology, slot).Files.Single(f => f.Key == AgentConfigFile.Key).Text);
                var config = run.Apply(AgentConfig.Load(path));

                // What the agent starts the image's entrypoint with, for any boot.
                var effective = EffectiveConfig.Arguments(config, new BootPlan("test", ["10.0.0.1"]));
                var host = ComposeFile.HostAddress(topology, slot);
                Assert.Equal(host, effective[effective.ToList().IndexOf("--broadcast-rpc-address") + 1]);
                Assert.Equal(Stable(Strings(((YamlMappingNode)before[slot.Name])["command"])), Stable(effective));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_agent_command_line_takes_entrypoint_arguments_only_after_a_double_dash()
    {
        var plain = RunCommand.Parse(["run", "--config", "/a.json"]);
        Assert.Equal(("run", "/a.json", 0), (plain!.Verb, plain.ConfigPath, plain.EntrypointArguments.Count));
        Assert.Equal(["--x", "1"], RunCommand.Parse(["check", "--config", "/a.json", "--", "--x", "1"])!.EntrypointArguments);
        Assert.Null(RunCommand.Parse(["run", "--config", "/a.json", "--x", "1"]));
        Assert.Null(RunCommand.Parse(["run", "/a.json"]));
        Assert.Null(RunCommand.Parse(["start", "--config", "/a.json"]));
    }
}
