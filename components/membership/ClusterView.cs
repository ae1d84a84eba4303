namespace ScyllaApocryph.Components.Membership;

/// <summary>
/// The cluster as observed at one instant, merged from every node that answered.
/// Disagreements between nodes are kept, not resolved away, so decisions and people can see them.
/// </summary>
/// <param name="Reachable">Addresses whose REST API answered this poll.</param>
public sealed record ClusterView(DateTimeOffset ObservedAt, IReadOnlyList<ObservedNode> Nodes, IReadOnlyList<string> Reachable,
    IReadOnlyList<string> Disagreements)
{
    public static ClusterView Empty(DateTimeOffset at) => new(at, [], [], []);

    public ObservedNode? At(string address) => Nodes.FirstOrDefault(n => n.Address == address);

    public ObservedNode? WithHostId(string hostId) => Nodes.FirstOrDefault(n => n.HostId == hostId);
}
