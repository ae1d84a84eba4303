namespace ScyllaApocryph.Components.Cluster;

/// <summary>Which container of a node reads a file.</summary>
public enum FileConsumer
{
    Scylla,
    Nebula,
}

/// <summary>A file a node needs. Text may hold placeholder tokens (see <see cref="Template"/>).</summary>
/// <param name="Key">A name usable as a ConfigMap/Secret key and volume name stem, e.g. <c>scylla.yaml</c>.</param>
/// <param name="Secret">Holds credentials, key material or values generated at apply time: it travels in Secrets
/// (base64), never in ConfigMaps. A rendered file's mode follows its value: 0600 when the value is secret.</param>
public sealed record NodeFile(string Key, string MountPath, string Text, bool Secret, FileConsumer Consumer = FileConsumer.Scylla)
{
    /// <summary>The directory the file is mounted in, e.g. <c>/etc/scylla/tls</c>.</summary>
    public string MountDirectory => MountPath[..MountPath.LastIndexOf('/')];

    /// <summary>
    /// Where a render provider writes it, relative to the node's folder: its mount path without the leading slash
    /// (<c>etc/scylla/tls/node.crt</c>), so each folder holds what one mounted directory holds and the compose trial
    /// can bind-mount whole directories, which see a file replaced by rename (a single-file bind mount keeps the old one).
    /// </summary>
    public string RenderedPath => MountPath.TrimStart('/');
}

/// <summary>A TCP port a node exposes to peers or clients.</summary>
public sealed record NodePort(string Name, int Port);

/// <summary>Everything the renderers need about one node: its slot, its files, its arguments and ports.</summary>
public sealed record NodePlan(NodeSlot Slot, Topology Topology, IReadOnlyList<NodeFile> Files)
{
    public ClusterSpec Cluster => Topology.Cluster;

    /// <summary>The ports peers and clients reach this node on; on the overlay only Nebula's UDP port is exposed.</summary>
    public IReadOnlyList<NodePort> Ports => Cluster.Security switch
    {
        SecurityMode.Tls => [new("internode-tls", Cluster.Ports.SslStorage), new("cql-tls", Cluster.Ports.CqlTls), new("cql-tls-shard", Cluster.Ports.CqlShardAwareTls)],
        SecurityMode.None => [new("internode", Cluster.Ports.Storage), new("cql", Cluster.Ports.Cql)],
        _ => [new("internode", Cluster.Ports.Storage), new("cql", Cluster.Ports.Cql)],
    };

    /// <summary>The agent's arguments: which node it tends and where that node's REST API is.</summary>
    public IReadOnlyList<string> AgentArguments =>
        ["--node", Slot.Name, "--datacenter", Slot.Datacenter, "--api", ScyllaNodeConfig.ApiUrl(Cluster, Slot)];

    public static NodePlan For(Topology topology, NodeSlot slot, IEnumerable<NodeFile>? extraFiles = null) =>
        new(slot, topology,
        [
            // With the node agent, the rendered scylla.yaml is its input; it writes the effective one into /etc/scylla.
            new NodeFile("scylla.yaml", topology.Cluster.AgentImage is null ? $"{ScyllaNodeConfig.ConfigDirectory}/scylla.yaml" : AgentConfigFile.BaseScyllaYamlPath,
                ScyllaNodeConfig.ScyllaYaml(topology, slot), Secret: true),
            .. topology.Cluster.AgentImage is null ? (NodeFile[])[] : [new NodeFile(AgentConfigFile.Key, AgentConfigFile.Path, AgentConfigFile.Render(topology, slot), Secret: false)],
            // With the node agent it sits in the agent's own (whole-directory) mount, and the agent copies it into /etc/scylla.
            new NodeFile("cassandra-rackdc.properties", topology.Cluster.AgentImage is null ? $"{ScyllaNodeConfig.ConfigDirectory}/cassandra-rackdc.properties" : AgentConfigFile.RackDcPath,
                ScyllaNodeConfig.RackDcProperties(slot), Secret: false),
            new NodeFile(ReadinessCheck.FileName, ReadinessCheck.MountPath, ReadinessCheck.Script(ScyllaNodeConfig.ApiUrl(topology.Cluster, slot)), Secret: false),
            .. extraFiles ?? [],
        ]);
}
