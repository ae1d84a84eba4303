using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Infra.Config;
using YamlDotNet.RepresentationModel;

namespace ScyllaApocryph.Tests.Components;

public sealed class ImageSettingsTests
{
    /// <summary>
    /// The uncommented settings of the image's /etc/scylla/scylla.yaml: conf/scylla.yaml at tag scylla-2025.1.4 of
    /// scylladb/scylladb, copied key by key, as the file the rendered scylla.yaml replaces.
    /// </summary>
    private const string ImageFile = """
        num_tokens: 256
        commitlog_sync: periodic
        commitlog_sync_period_in_ms: 10000
        commitlog_segment_size_in_mb: 32
        schema_commitlog_segment_size_in_mb: 128
        seed_provider:
            - class_name: org.apache.cassandra.locator.SimpleSeedProvider
              parameters:
                  - seeds: "127.0.0.1"
        listen_address: localhost
        native_transport_port: 9042
        native_shard_aware_transport_port: 19042
        read_request_timeout_in_ms: 5000
        write_request_timeout_in_ms: 2000
        cas_contention_timeout_in_ms: 1000
        endpoint_snitch: SimpleSnitch
        rpc_address: localhost
        api_port: 10000
        api_address: 127.0.0.1
        batch_size_warn_threshold_in_kb: 128
        batch_size_fail_threshold_in_kb: 1024
        partitioner: org.apache.cassandra.dht.Murmur3Partitioner
        commitlog_total_space_in_mb: -1
        murmur3_partitioner_ignore_msb_bits: 12
        strict_is_not_null_in_views: true
        maintenance_socket: ignore
        tablets_mode_for_new_keyspaces: enabled
        rf_rack_valid_keyspaces: false
        """;

    /// <summary>What the stack sets on purpose: seeds, snitch, where it listens and on which ports.</summary>
    private static readonly HashSet<string> Overridden =
        ["seed_provider", "endpoint_snitch", "listen_address", "rpc_address", "native_transport_port", "native_shard_aware_transport_port", "api_address"];

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? (v as YamlScalarNode)?.Value : null;

    [Theory]
    [InlineData(SecurityMode.Tls)]
    [InlineData(SecurityMode.Nebula)]
    [InlineData(SecurityMode.None)]
    public void Every_setting_of_the_images_scylla_yaml_is_kept_unless_the_stack_sets_it_on_purpose(SecurityMode security)
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters(security: security));
        var image = Parse(ImageFile);

        foreach (var slot in topology.Slots)
        {
            var rendered = Parse(ScyllaNodeConfig.ScyllaYaml(topology, slot));
            foreach (var (key, value) in image.Children.Select(c => (((YamlScalarNode)c.Key).Value!, c.Value)))
            {
                Assert.True(rendered.Children.ContainsKey(new YamlScalarNode(key)), $"{key} of the image's scylla.yaml is missing");
                if (value is YamlScalarNode scalar && !Overridden.Contains(key))
                    Assert.True(scalar.Value == Scalar(rendered, key), $"{key}: image {scalar.Value}, rendered {Scalar(rendered, key)}");
            }
        }
    }

    [Fact]
    public void Tokens_and_tablets_default_to_the_images_values_not_scyllas_built_in_ones()
    {
        var topology = Topology.Build(ClusterFixtures.ThreeDatacenters());

        var yaml = Parse(ScyllaNodeConfig.ScyllaYaml(topology, topology.Slots[0]));

        Assert.Equal("256", Scalar(yaml, "num_tokens")); // db/config.cc would use 1
        Assert.Equal("enabled", Scalar(yaml, "tablets_mode_for_new_keyspaces")); // db/config.cc: unset, so vnodes
    }

    private const string Stack = """
        config:
          scylla-apocryph:cluster:
            name: demo
            image: docker.io/scylladb/scylla:2025.1.4
            allowFragileTopology: true
            nodeResources: { cpu: 1, memory: 2Gi, disk: 10Gi }
            datacenters: [{ name: dc1, provider: p1, nodes: 1 }]
        EXTRA
          scylla-apocryph:providers:
            p1: { kind: render, directory: out/p1 }
        """;

    [Fact]
    public void Tokens_and_tablets_are_stack_configuration()
    {
        var spec = StackConfigLoader.Parse("scylla-apocryph", "t", "f", Stack.Replace("EXTRA", "    numTokens: 16\n    tablets: disabled"));
        var topology = Topology.Build(spec);

        var yaml = Parse(ScyllaNodeConfig.ScyllaYaml(topology, topology.Slots[0]));

        Assert.Equal("16", Scalar(yaml, "num_tokens"));
        Assert.Equal("disabled", Scalar(yaml, "tablets_mode_for_new_keyspaces"));
        var defaults = StackConfigLoader.Parse("scylla-apocryph", "t", "f", Stack.Replace("EXTRA", ""));
        Assert.Equal((256, TabletsMode.Enabled), (defaults.Cluster.NumTokens, defaults.Cluster.Tablets));
    }

    [Fact]
    public void Bad_tokens_or_tablets_are_named_by_key()
    {
        var error = Assert.Throws<ConfigException>(() =>
            StackConfigLoader.Parse("scylla-apocryph", "t", "f", Stack.Replace("EXTRA", "    numTokens: 0\n    tablets: sometimes")));

        Assert.Contains(error.Errors, e => e.StartsWith("scylla-apocryph:cluster.numTokens: must be >= 1", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("scylla-apocryph:cluster.tablets: must be one of enabled, disabled, enforced", StringComparison.Ordinal));
    }
}
