using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Infra.Config;
using ScyllaApocryph.Tests.Infra;

namespace ScyllaApocryph.Tests.Apocryph;

public sealed class ApocryphStackConfigTests
{
    private static string StackFile(string stack) => File.ReadAllText(Path.Combine(StackConfigTests.RepositoryRoot(), $"Pulumi.{stack}.yaml"));

    [Theory]
    [InlineData("apocryph-local")]
    [InlineData("staging")]
    [InlineData("apocryph-registry")]
    public void The_Apocryph_example_stacks_parse_with_three_Apocryph_providers(string stack)
    {
        var spec = StackConfigLoader.Parse("scylla-apocryph", stack, $"Pulumi.{stack}.yaml", StackFile(stack));

        Assert.Equal(3, spec.Providers.Count(p => p.Kind == ProviderKind.Apocryph));
        Assert.Equal(SecurityMode.Tls, spec.Cluster.Security);
    }

    [Fact]
    public void A_bad_Apocryph_setting_is_named_by_its_key()
    {
        var yaml = StackFile("apocryph-local")
            .Replace("rpcUrl: http://127.0.0.1:8545", "rpcUrl: not a url")
            .Replace("funds: \"1000000000000000000\"", "funds: \"-5\"")
            .Replace("walletKeyEnv: APOCRYPH_WALLET_KEY", "walletKeyEnv: \"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\"")
            .Replace("kuboApi: http://127.0.0.1:15001", "kuboApi: http://127.0.0.1:15001\n      secrets: plain");

        var errors = Assert.Throws<ConfigException>(() => StackConfigLoader.Parse("scylla-apocryph", "apocryph-local", "f", yaml)).Errors;

        Assert.Contains("scylla-apocryph:providers.alpha.rpcUrl: must be an absolute http(s) URL, got 'not a url'", errors);
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:providers.beta.funds: must be a positive whole number", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:providers.gamma.walletKeyEnv: holds what looks like a private key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:providers.alpha.secrets: must be ipfs", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("ac0974bec39a17e36ba4a6b4d238ff944", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "scylla-apocryph:cluster.ports.agent: 8080 is not a NodePort (30000-32767)")]
    [InlineData("\n      agent: 30942", "scylla-apocryph:cluster.ports.cqlTls: 30942 is also ports.agent")]
    public void With_the_node_agent_its_port_must_be_a_NodePort_of_its_own_on_Apocryph(string agentPort, string error)
    {
        var yaml = StackFile("apocryph-local")
            .Replace("    security: tls\n", "    security: tls\n    agentImage: registry.example/agent:1\n")
            .Replace("      cqlShardAwareTls: 30943", "      cqlShardAwareTls: 30943" + agentPort);

        var errors = Assert.Throws<ConfigException>(() => StackConfigLoader.Parse("scylla-apocryph", "apocryph-local", "f", yaml)).Errors;

        Assert.Contains(errors, e => e.StartsWith(error, StringComparison.Ordinal));
    }

    [Fact]
    public void The_agent_port_a_stack_gives_is_published_on_Apocryph_and_dialled_by_every_agent()
    {
        var yaml = StackFile("apocryph-local")
            .Replace("    security: tls\n", "    security: tls\n    agentImage: registry.example/agent:1\n")
            .Replace("      cqlShardAwareTls: 30943", "      cqlShardAwareTls: 30943\n      agent: 30800");
        var topology = Topology.Build(StackConfigLoader.Parse("scylla-apocryph", "apocryph-local", "f", yaml));
        var plan = NodePlan.For(topology, topology.Slots[1]);

        var agent = ScyllaApocryph.Components.Apocryph.ApocryphPodManifest.Build(plan).Containers[0].Ports.Single(p => p.Name == "agent");
        Assert.Equal((30800UL, 30800UL), (agent.ContainerPort, agent.HostTcpPort));
        var config = System.Text.Json.Nodes.JsonNode.Parse(plan.Files.Single(f => f.Key == AgentConfigFile.Key).Text)!;
        Assert.Equal("0.0.0.0:30800", config["listen"]!.GetValue<string>());
        Assert.All(config["slots"]!.AsArray(), s => Assert.Equal($"https://{s!["address"]!.GetValue<string>()}:30800/", s["agentUrl"]!.GetValue<string>()));
    }
}
