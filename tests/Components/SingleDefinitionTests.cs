using System.Reflection;
using System.Text.RegularExpressions;
using ScyllaApocryph.Components;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Infra.Config;
using ScyllaApocryph.Tests.Infra;

namespace ScyllaApocryph.Tests.Components;

/// <summary>
/// Defaults and resource type tokens are each defined once (components/Defaults.cs, components/ResourceTypes.cs):
/// a second spelling could drift, as the agent's autoscaler timeout once did (60 s against the stack's 30 s).
/// </summary>
public sealed partial class SingleDefinitionTests
{
    private static readonly string[] ProductionFolders = ["engine", "components", "providers", "infra", "plugin", "agent", "pulumi"];

    private static IEnumerable<(string File, string Text)> ProductionSources() =>
        ProductionFolders.SelectMany(folder => Directory.EnumerateFiles(Path.Combine(StackConfigTests.RepositoryRoot(), folder), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (Path.GetRelativePath(StackConfigTests.RepositoryRoot(), f), CodeOnly(File.ReadAllLines(f))));

    /// <summary>The file without its comment lines: documentation may quote a default as an example.</summary>
    private static string CodeOnly(string[] lines) => string.Join('\n', lines.Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));

    [GeneratedRegex(@"""[a-z]+:index:[A-Za-z]+""")]
    private static partial Regex TypeTokenLiteral();

    [GeneratedRegex(@"""(3650d|365d|30d)""")]
    private static partial Regex PkiDurationLiteral();

    [Fact]
    public void Resource_type_tokens_are_spelt_only_in_ResourceTypes()
    {
        var offenders = ProductionSources()
            .Where(s => !s.File.EndsWith("ResourceTypes.cs", StringComparison.Ordinal) && TypeTokenLiteral().IsMatch(s.Text))
            .Select(s => $"{s.File}: {TypeTokenLiteral().Match(s.Text).Value}");
        Assert.Empty(offenders);
    }

    [Fact]
    public void Certificate_lifetimes_are_spelt_only_in_Defaults()
    {
        var offenders = ProductionSources()
            .Where(s => !s.File.EndsWith("Defaults.cs", StringComparison.Ordinal) && PkiDurationLiteral().IsMatch(s.Text))
            .Select(s => $"{s.File}: {PkiDurationLiteral().Match(s.Text).Value}");
        Assert.Empty(offenders);
    }

    [Fact]
    public void Every_provider_type_constant_is_one_of_the_tokens_the_components_use()
    {
        var tokens = typeof(ResourceTypes).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        var providerTypes = typeof(ScyllaApocryph.Providers.BuiltInProviders).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Type", StringComparison.Ordinal))
            .Select(f => (Field: $"{f.DeclaringType!.Name}.{f.Name}", Value: (string)f.GetRawConstantValue()!))
            .ToList();

        Assert.NotEmpty(providerTypes);
        Assert.All(providerTypes, p => Assert.True(tokens.Contains(p.Value), $"{p.Field} = {p.Value} is not in ResourceTypes"));
    }

    [Fact]
    public void A_stack_that_leaves_the_optional_keys_out_gets_the_shared_defaults()
    {
        var spec = StackConfigLoader.Parse("scylla-apocryph", "test", "Pulumi.test.yaml", """
            config:
              scylla-apocryph:cluster:
                name: demo
                image: scylladb/scylla:2025.1.4
                security: tls
                nodeResources: { cpu: 2, memory: 4Gi, disk: 20Gi }
                datacenters:
                  - { name: one, provider: p1, nodes: 1 }
                allowFragileTopology: true
              scylla-apocryph:providers:
                p1: { kind: render, directory: out/p1 }
            """).Cluster;

        Assert.Equal(new PortSpec(Defaults.Ports.Storage, Defaults.Ports.SslStorage, Defaults.Ports.Cql, Defaults.Ports.CqlTls, Defaults.Ports.NebulaUdp), spec.Ports);
        Assert.Equal(Defaults.Ports.CqlShardAwareTls, spec.Ports.CqlShardAwareTls);
        Assert.Equal(Defaults.FailureDetectorTimeoutMs, spec.FailureDetectorTimeoutMs);
        Assert.Equal(Defaults.OverlayCidr, spec.OverlayCidr);
        Assert.Equal(TimeSpan.FromDays(3650), PkiSpec.DefaultCaDuration);
        Assert.Equal(TimeSpan.FromDays(365), PkiSpec.DefaultCertDuration);
        Assert.Equal(TimeSpan.FromDays(30), PkiSpec.DefaultRenewBefore);
    }

    [Fact]
    public void An_agent_config_without_an_autoscaler_timeout_waits_as_long_as_the_stack_default()
    {
        var dir = Directory.CreateTempSubdirectory("agent-defaults-");
        try
        {
            var path = Path.Combine(dir.FullName, "agent.json");
            File.WriteAllText(path, """
                {"cluster":"demo","slot":"one-0","founderSlot":"one-0","newCluster":true,"security":"none",
                 "slots":[{"slot":"one-0","datacenter":"one","ordinal":0,"address":"127.0.0.1","agentUrl":"http://127.0.0.1:8080/"}],
                 "dataDirectory":"/var/lib/scylla","entrypoint":["/docker-entrypoint.py"],"baseScyllaYaml":"/etc/scylla/scylla.yaml",
                 "listen":"127.0.0.1:8080",
                 "autoscaler":{"endpoint":"http://127.0.0.1:1","nodeGateway":"http://127.0.0.1:2","servers":["a"]}}
                """);
            var config = ScyllaApocryph.Agent.AgentConfig.Load(path);
            Assert.Equal((uint)Defaults.AutoscalerTimeoutSeconds, config.Autoscaler!.TimeoutSeconds);
            Assert.Equal(Defaults.FailureDetectorTimeoutMs, config.FailureDetectorTimeoutMs);
            Assert.Equal(Defaults.Ports.RestApi, config.ScyllaApiPort);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
