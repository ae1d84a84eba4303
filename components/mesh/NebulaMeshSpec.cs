namespace ScyllaApocryph.Components.Mesh;

/// <param name="Nodes">Every node of the cluster that runs Nebula, in slot order.</param>
/// <param name="ClusterGroup">The group every node certificate carries; the firewall trusts it alone.</param>
/// <param name="Lighthouses">Node names to use as lighthouses; null picks the first node of each datacenter.</param>
/// <param name="OperatorGroup">Group allowed to reach REST (10000) over the overlay; null means nobody.</param>
/// <param name="ClientGroups">Groups (applications) allowed to reach CQL besides the cluster.</param>
/// <param name="Ports">The ports ScyllaDB listens on (from the cluster's port settings); null means Scylla's defaults.</param>
public sealed record NebulaMeshSpec(
    IReadOnlyList<NebulaMeshNode> Nodes,
    string ClusterGroup,
    IReadOnlyList<string>? Lighthouses = null,
    bool InternodeTls = false,
    string? OperatorGroup = null,
    IReadOnlyList<string>? ClientGroups = null,
    int Mtu = 1300,
    bool Punchy = true,
    string LogLevel = "info",
    ScyllaListenPorts? Ports = null);
