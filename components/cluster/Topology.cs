namespace ScyllaApocryph.Components.Cluster;

/// <summary>
/// A node's place in the cluster. Its name and ordinal are stable: they derive only from the datacenter and the
/// slot's position in it, so adding nodes or datacenters never renames an existing one.
/// </summary>
/// <param name="Index">Position in the cluster-wide slot order (datacenters in stack order, then ordinal).</param>
public sealed record NodeSlot(string Name, string Datacenter, string Rack, string Provider, int Ordinal, int Index, string Address);

/// <summary>The cluster's node slots and seed choice, computed from the stack configuration alone.</summary>
public sealed class Topology
{
    /// <summary>At most this many seeds per datacenter: enough to find the cluster if one is down, few enough to stay stable.</summary>
    public const int SeedsPerDatacenter = 2;

    private Topology(ClusterSpec cluster, IReadOnlyList<NodeSlot> slots)
    {
        Cluster = cluster;
        Slots = slots;
    }

    public ClusterSpec Cluster { get; }

    public IReadOnlyList<NodeSlot> Slots { get; }

    public static Topology Build(ClusterSpec cluster)
    {
        var slots = new List<NodeSlot>();
        foreach (var dc in cluster.Datacenters)
        {
            for (var ordinal = 0; ordinal < dc.Nodes; ordinal++)
            {
                var name = $"{cluster.Name}-{dc.Name}-{ordinal}";
                slots.Add(new NodeSlot(name, dc.Name, "rack1", dc.Provider, ordinal, slots.Count, name));
            }
        }
        return new Topology(cluster, slots);
    }

    public IEnumerable<NodeSlot> InDatacenter(string datacenter) => Slots.Where(s => s.Datacenter == datacenter);

    /// <summary>
    /// The seeds a node starts with: up to <see cref="SeedsPerDatacenter"/> of the lowest slots of each datacenter,
    /// taken only from slots before this one, so a node never seeds itself and always names nodes that started
    /// earlier. Only the very first slot, which founds a brand-new cluster, has itself as seed.
    /// </summary>
    public IReadOnlyList<NodeSlot> SeedsFor(NodeSlot node)
    {
        var seeds = Slots
            .Where(s => s.Index < node.Index && s.Ordinal < SeedsPerDatacenter)
            .ToList();
        return seeds.Count > 0 ? seeds : [node];
    }

    /// <summary>True for the slots that appear in some node's seed list.</summary>
    public bool IsSeed(NodeSlot node) => Slots.Any(s => SeedsFor(s).Contains(node));
}
