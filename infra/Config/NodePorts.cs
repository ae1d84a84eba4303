using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Components;

namespace ScyllaApocryph.Infra.Config;

/// <summary>
/// Every port one node listens on must be its own: two settings on one number would write duplicate ports into
/// <c>scylla.yaml</c>, a Service or a pod manifest, and one of the listeners would fail to bind.
/// </summary>
internal static class NodePorts
{
    /// <summary>The configured ports (the agent's with agentImage) and the fixed ones (REST API, metrics, plain shard-aware CQL).</summary>
    public static IReadOnlyList<(string Key, int Port, bool Configurable)> All(PortSpec ports, bool withAgent) =>
    [
        // The agent first: a port set on its default (8080) is named as the setting that clashes.
        .. withAgent ? new[] { ("agent", ports.Agent, true) } : [],
        ("storage", ports.Storage, true),
        ("sslStorage", ports.SslStorage, true),
        ("cql", ports.Cql, true),
        ("cqlTls", ports.CqlTls, true),
        ("cqlShardAwareTls", ports.CqlShardAwareTls, true),
        ("nebulaUdp", ports.NebulaUdp, true),
        ("the REST API", Defaults.Ports.RestApi, false),
        ("Prometheus metrics", Defaults.Ports.Prometheus, false),
        ("plain shard-aware CQL", Defaults.Ports.CqlShardAware, false),
    ];

    public static void CheckDistinct(PortSpec ports, bool withAgent, YamlNodeReader cluster)
    {
        var all = All(ports, withAgent);
        foreach (var (key, port, configurable) in all.Where(p => p.Configurable))
        {
            var earlier = all.TakeWhile(p => p.Key != key).FirstOrDefault(p => p.Port == port);
            var fixedOne = all.FirstOrDefault(p => !p.Configurable && p.Port == port);
            var clash = earlier.Key ?? fixedOne.Key;
            if (clash is null) continue;
            var other = all.First(p => p.Key == clash).Configurable ? $"ports.{clash}" : $"{clash} (fixed at {port})";
            cluster.Error($"ports.{key}", $"{port} is also {other}; every port a node uses must be distinct");
        }
    }
}
