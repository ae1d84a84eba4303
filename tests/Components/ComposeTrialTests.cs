using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Tests.Infra;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Tests.Components;

/// <summary>The one-host trial's docker-compose.yaml: restarted with the host, and the first node's client ports published.</summary>
public sealed class ComposeTrialTests
{
    private static YamlMappingNode Services()
    {
        var graph = new ResourceGraph("local", "scylla-apocryph");
        ScyllaCluster.Declare(graph, StackConfigTestsAccess.LocalSpec());
        var compose = graph.Resources.Single(r => r.Name == "compose/docker-compose.yaml").Inputs.GetString("content")!;
        var yaml = new YamlStream();
        yaml.Load(new StringReader(compose));
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    [Fact]
    public void Every_node_restarts_unless_stopped_and_the_first_publishes_cql_tls_and_its_shard_aware_port_on_loopback()
    {
        var services = Services();

        Assert.All(services.Children.Values, s => Assert.Equal("unless-stopped", ((YamlScalarNode)((YamlMappingNode)s)["restart"]).Value));
        var ports = ((YamlSequenceNode)((YamlMappingNode)services["scylla-local-alpha-0"])["ports"]).Children.Select(p => ((YamlScalarNode)p).Value).ToList();
        Assert.Equal(["127.0.0.1:30942:30942", "127.0.0.1:30943:30943"], ports);
    }
}
