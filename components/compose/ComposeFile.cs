using System.Globalization;
using ScyllaApocryph.Components.Cluster;
using YamlDotNet.Serialization;

namespace ScyllaApocryph.Components.Compose;

/// <summary>
/// A docker-compose.yaml that runs the whole cluster on one host for a trial: one service per node, a named data
/// volume each, the same scylla.yaml as every other target, and a health check that waits for the node's own CQL.
/// Each node starts once its seeds are healthy. Nodes that share the same seeds may bootstrap together, which
/// Raft-based topology serializes (the cluster admits one joining node at a time). Once every node is healthy a
/// one-shot <c>keyspaces</c> service runs keyspaces.cql with cqlsh as the superuser (over TLS with the client
/// certificate in tls mode), and every node publishes its client ports on a loopback address of its own, which its
/// certificate names, so a driver on the host that verifies hostnames reaches every node.
/// </summary>
public static class ComposeFile
{
    public const string KeyspacesService = "keyspaces";
    public const string CqlshService = "cqlsh";

    /// <summary>Where the trial's client files (<see cref="CqlshConfig"/>) are mounted in the cqlsh containers.</summary>
    public const string ClientDirectory = "/etc/scylla-apocryph";

    private static readonly ISerializer Yaml = new SerializerBuilder().DisableAliases().WithQuotingNecessaryStrings().Build();

    /// <summary>
    /// The loopback address a node's client ports are published on: 127.0.&lt;datacenter position + 1&gt;.&lt;ordinal + 1&gt;
    /// (the arbiter 127.0.255.1), derived like the overlay IP so that adding nodes or datacenters moves no node. Linux
    /// routes all of 127.0.0.0/8 to the loopback device, so these need no set-up there.
    /// </summary>
    public static string HostAddress(Topology topology, NodeSlot slot)
    {
        var subnet = slot.IsArbiter
            ? Topology.ArbiterSubnet
            : topology.Cluster.Datacenters.Select(d => d.Name).ToList().IndexOf(slot.Datacenter) + 1;
        return $"127.0.{subnet}.{slot.Ordinal + 1}";
    }

    /// <summary>The client ports a node publishes on its <see cref="HostAddress"/>: CQL and shard-aware CQL.</summary>
    public static IReadOnlyList<int> ClientPorts(ClusterSpec cluster) => cluster.Security == SecurityMode.Tls
        ? [cluster.Ports.CqlTls, cluster.Ports.CqlShardAwareTls]
        : [cluster.Ports.Cql, Defaults.Ports.CqlShardAware];

    /// <param name="configDirectoryOf">Where a node's rendered files are, relative to the compose file (bind mounts start with ./).</param>
    public static string Render(Topology topology, IReadOnlyList<NodePlan> plans, Func<NodeSlot, string> configDirectoryOf)
    {
        var services = new Dictionary<string, object>();
        var volumes = new Dictionary<string, object?>();
        foreach (var plan in plans)
        {
            var slot = plan.Slot;
            var dir = configDirectoryOf(slot);
            var host = HostAddress(topology, slot);
            var service = new Dictionary<string, object>
            {
                // With the agent: the image derived from the ScyllaDB image (agent/Dockerfile); the agent starts ScyllaDB.
                ["image"] = topology.Cluster.AgentImage ?? topology.Cluster.Image,
                ["hostname"] = slot.Name,
                // Drivers learn every node's address from broadcast_rpc_address (system.local and system.peers): the
                // host-side address, which the certificate names. The image's entrypoint passes the flag on to
                // scylla, where it beats scylla.yaml (dist/docker/scyllasetup.py, "--broadcast-rpc-address").
                // With the agent, the agent starts the entrypoint with the arguments its agent.json carries, and this
                // one after "--" (agent.json is the same file the other targets' manifests carry).
                ["command"] = topology.Cluster.AgentImage is null
                    ? ScyllaNodeConfig.Arguments(topology, slot).Concat(["--broadcast-rpc-address", host]).ToList()
                    : [AgentConfigFile.ImageBinary, "run", "--config", AgentConfigFile.Path, "--", "--broadcast-rpc-address", host],
                ["restart"] = "unless-stopped", // a trial survives a crash or a reboot of the host
                ["ports"] = ClientPorts(topology.Cluster).Select(p => $"{host}:{p}:{p}").ToList(),
                ["volumes"] = new List<string> { $"{slot.Name}-data:{ScyllaNodeConfig.DataDirectory}" }.Concat(Mounts(plan, dir)).ToList(),
                ["healthcheck"] = new Dictionary<string, object>
                {
                    // The same readiness check as every target: own host ID up and normal, CQL serving.
                    ["test"] = new List<string> { "CMD" }.Concat(ReadinessCheck.Command).ToList(),
                    ["interval"] = "10s",
                    ["timeout"] = "5s",
                    ["retries"] = 30,
                    ["start_period"] = "120s",
                },
            };
            var seeds = topology.SeedsFor(slot).Where(s => s != slot).ToList();
            if (seeds.Count > 0) service["depends_on"] = Healthy(seeds);
            services[slot.Name] = service;
            volumes[$"{slot.Name}-data"] = null;
        }

        // cqlsh's own --ssl flag as well as the cqlshrc's ssl key: either alone turns TLS on.
        List<string> cqlsh = ["cqlsh", "--cqlshrc", $"{ClientDirectory}/{CqlshConfig.FileName}", .. topology.Cluster.Security == SecurityMode.Tls ? ["--ssl"] : Array.Empty<string>()];
        // A schema change needs a Raft majority of all nodes, and the replication names every datacenter: wait for all.
        services[KeyspacesService] = Cqlsh(topology,
            entrypoint: [.. cqlsh, "-f", $"{ClientDirectory}/{CqlshConfig.KeyspacesFile}"],
            extra: new Dictionary<string, object> { ["depends_on"] = Healthy(topology.Slots), ["restart"] = "on-failure" });
        // Not started by `up`; `docker compose run --rm cqlsh` opens a shell (running a service enables its profile).
        services[CqlshService] = Cqlsh(topology,
            entrypoint: cqlsh,
            extra: new Dictionary<string, object> { ["profiles"] = new List<string> { "tools" }, ["stdin_open"] = true, ["tty"] = true });

        var file = new Dictionary<string, object>
        {
            ["name"] = topology.Cluster.Name,
            ["services"] = services,
            ["volumes"] = volumes,
        };
        return "# Generated by scylla-apocryph: a one-host trial of the whole cluster. docker compose up -d\n" + Yaml.Serialize(file);
    }

    /// <summary>
    /// The node's files as bind mounts, one per directory of ours. The render provider replaces a changed file by
    /// rename; a single-file bind mount keeps the old file (it is bound to the inode), a directory bind mount shows
    /// the new one, so a renewed certificate or a new agent.json reaches the running container, where the node agent
    /// notices it and restarts ScyllaDB in turn. The rendered folders mirror the mount directories
    /// (<see cref="NodeFile.RenderedPath"/>). Only files in the image's own /etc/scylla are mounted one by one (a
    /// directory there would hide the image's files); with the agent that is only the readiness script, which no
    /// renewal changes (the agent copies the rest into /etc/scylla at each start).
    /// </summary>
    internal static IEnumerable<string> Mounts(NodePlan plan, string nodeDirectory)
    {
        foreach (var directory in plan.Files.Where(f => f.Consumer == FileConsumer.Scylla).GroupBy(f => f.MountDirectory))
        {
            if (directory.Key == ScyllaNodeConfig.ConfigDirectory)
                foreach (var f in directory) yield return $"./{nodeDirectory}/{f.RenderedPath}:{f.MountPath}:ro";
            else
                yield return $"./{nodeDirectory}/{directory.Key.TrimStart('/')}:{directory.Key}:ro";
        }
    }

    private static Dictionary<string, object> Healthy(IEnumerable<NodeSlot> slots) =>
        slots.ToDictionary(s => s.Name, object (_) => new Dictionary<string, object> { ["condition"] = "service_healthy" });

    // The ScyllaDB image ships cqlsh; the entrypoint is replaced, so the image's own start-up (which writes a cqlshrc
    // naming the container's IP, dist/docker/scyllasetup.py) does not run.
    private static Dictionary<string, object> Cqlsh(Topology topology, List<string> entrypoint, Dictionary<string, object> extra)
    {
        var service = new Dictionary<string, object>
        {
            ["image"] = topology.Cluster.Image,
            ["entrypoint"] = entrypoint,
            ["volumes"] = CqlshConfig.Files(topology.Cluster).Select(f => $"./{f}:{ClientDirectory}/{f}:ro").ToList(),
        };
        foreach (var (key, value) in extra) service[key] = value;
        return service;
    }

    internal static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
