namespace ScyllaApocryph.Components.Cluster;

/// <summary>
/// The settings of the ScyllaDB image's own <c>/etc/scylla/scylla.yaml</c>, which the rendered file replaces: every
/// uncommented key of conf/scylla.yaml at tag scylla-2025.1.4 (the scylla-conf package installs it; the image's
/// dist/docker scripts pass flags but do not edit it). A key missing from the rendered file would fall back to
/// db/config.cc's default instead, which differs for some (num_tokens 1 instead of 256, tablets unset = off), so
/// <see cref="ScyllaNodeConfig.ScyllaYaml"/> starts from these and overrides only what the stack sets on purpose.
/// </summary>
public static class ImageScyllaYaml
{
    /// <summary>The image's <c>num_tokens</c>; db/config.cc's default is 1.</summary>
    public const int NumTokens = 256;

    /// <summary>The image's <c>tablets_mode_for_new_keyspaces</c>; db/config.cc's default is unset (vnodes).</summary>
    public const TabletsMode Tablets = TabletsMode.Enabled;

    /// <summary>In the image file's order. Seeds, addresses, ports, snitch and the two above are the stack's.</summary>
    public static IReadOnlyList<KeyValuePair<string, object>> Settings { get; } =
    [
        new("num_tokens", NumTokens),
        new("commitlog_sync", "periodic"),
        new("commitlog_sync_period_in_ms", 10000),
        new("commitlog_segment_size_in_mb", 32),
        new("schema_commitlog_segment_size_in_mb", 128),
        new("seed_provider", new object[]
        {
            new Dictionary<string, object>
            {
                ["class_name"] = "org.apache.cassandra.locator.SimpleSeedProvider",
                ["parameters"] = new object[] { new Dictionary<string, object> { ["seeds"] = "127.0.0.1" } },
            },
        }),
        new("listen_address", "localhost"), // the entrypoint always passes --listen-address and --rpc-address
        new("native_transport_port", Defaults.Ports.Cql),
        new("native_shard_aware_transport_port", Defaults.Ports.CqlShardAware),
        new("read_request_timeout_in_ms", 5000),
        new("write_request_timeout_in_ms", 2000),
        new("cas_contention_timeout_in_ms", 1000),
        new("endpoint_snitch", "SimpleSnitch"),
        new("rpc_address", "localhost"),
        new("api_port", Defaults.Ports.RestApi),
        new("api_address", "127.0.0.1"),
        new("batch_size_warn_threshold_in_kb", 128),
        new("batch_size_fail_threshold_in_kb", 1024),
        new("partitioner", "org.apache.cassandra.dht.Murmur3Partitioner"),
        new("commitlog_total_space_in_mb", -1),
        new("murmur3_partitioner_ignore_msb_bits", 12),
        new("strict_is_not_null_in_views", true),
        new("maintenance_socket", "ignore"),
        new("tablets_mode_for_new_keyspaces", "enabled"),
        new("rf_rack_valid_keyspaces", false),
    ];

    /// <summary>The value ScyllaDB's configuration takes for a mode.</summary>
    public static string Name(TabletsMode mode) => mode switch
    {
        TabletsMode.Disabled => "disabled",
        TabletsMode.Enabled => "enabled",
        TabletsMode.Enforced => "enforced",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };
}
