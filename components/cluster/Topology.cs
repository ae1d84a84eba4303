using System.Net;
using System.Net.Sockets;

namespace ScyllaApocryph.Components.Cluster;

/// <summary>
/// A node's place in the cluster. Name, ordinal, rack and overlay IP derive only from the datacenter's position
/// and the slot's ordinal in it, so adding nodes or datacenters (at the end) never changes an existing identity —
/// a node's broadcast address must never change for its host ID.
/// </summary>
/// <param name="Index">Position in the cluster-wide slot order: datacenters in stack order, then ordinal; the arbiter last.</param>
/// <param name="Address">The address peers use (broadcast_address): overlay IP, Service DNS name, public host or node name.</param>
public sealed record NodeSlot(
    string Name,
    string Datacenter,
    string Rack,
    string Provider,
    ProviderKind Kind,
    int Ordinal,
    int Index,
    string Address,
    string OverlayIp,
    bool IsArbiter);

/// <summary>The cluster's node slots, addresses and seeds, computed from the stack configuration alone.</summary>
public sealed class Topology
{
    /// <summary>At most this many seeds per datacenter: enough to find the cluster if one is down, few enough to stay stable.</summary>
    public const int SeedsPerDatacenter = 2;

    /// <summary>The arbiter's overlay subnet index is fixed, so adding datacenters never moves it.</summary>
    public const int ArbiterSubnet = 255;

    private Topology(StackSpec stack, IReadOnlyList<NodeSlot> slots)
    {
        Stack = stack;
        Slots = slots;
    }

    public StackSpec Stack { get; }

    public ClusterSpec Cluster => Stack.Cluster;

    public IReadOnlyList<NodeSlot> Slots { get; }

    public IEnumerable<NodeSlot> DataNodes => Slots.Where(s => !s.IsArbiter);

    public NodeSlot? Arbiter => Slots.FirstOrDefault(s => s.IsArbiter);

    public static Topology Build(StackSpec stack)
    {
        var cluster = stack.Cluster;
        var slots = new List<NodeSlot>();
        for (var dcIndex = 0; dcIndex < cluster.Datacenters.Count; dcIndex++)
        {
            var dc = cluster.Datacenters[dcIndex];
            var racks = dc.RackNames;
            for (var ordinal = 0; ordinal < dc.Nodes; ordinal++)
                slots.Add(Slot(stack, dc.Name, racks[ordinal % racks.Count], dc.Provider, ordinal, dcIndex + 1, slots.Count, arbiter: false));
        }
        if (cluster.Arbiter is { } a)
            slots.Add(Slot(stack, a.Datacenter, "rack1", a.Provider, 0, ArbiterSubnet, slots.Count, arbiter: true));
        return new Topology(stack, slots);
    }

    private static NodeSlot Slot(StackSpec stack, string dc, string rack, string providerName, int ordinal, int subnet, int index, bool arbiter)
    {
        var provider = stack.Provider(providerName);
        var name = $"{stack.Cluster.Name}-{dc}-{ordinal}";
        var overlay = OverlayIp(stack.Cluster.OverlayCidr, subnet, ordinal);
        var address = stack.Cluster.Security == SecurityMode.Nebula
            ? overlay
            : provider.Kind switch
            {
                // A per-node ClusterIP Service gives a stable name whose address outlives pod restarts.
                ProviderKind.Kubernetes => $"{name}.{provider.Setting("namespace") ?? stack.Cluster.Name}.svc.cluster.local",
                // One node per cluster per Apocryph provider: the provider's public host is the node's address.
                ProviderKind.Apocryph => provider.Setting("publicHost") ?? name,
                _ => name,
            };
        return new NodeSlot(name, dc, rack, providerName, provider.Kind, ordinal, index, address, overlay, arbiter);
    }

    /// <summary>Slot <paramref name="ordinal"/> of subnet <paramref name="subnet"/>: e.g. 10.42.1.10 for the first node of the first datacenter.</summary>
    public static string OverlayIp(string cidr, int subnet, int ordinal)
    {
        var network = IPNetwork.Parse(cidr);
        var bytes = network.BaseAddress.GetAddressBytes();
        if (network.BaseAddress.AddressFamily != AddressFamily.InterNetwork || network.PrefixLength > 16)
            throw new ArgumentException($"overlay network {cidr} must be an IPv4 network of /16 or larger");
        bytes[2] = (byte)subnet;
        bytes[3] = (byte)(10 + ordinal);
        return new IPAddress(bytes).ToString();
    }

    public IEnumerable<NodeSlot> InDatacenter(string datacenter) => Slots.Where(s => s.Datacenter == datacenter);

    /// <summary>
    /// The seeds a node starts with: up to <see cref="SeedsPerDatacenter"/> of the lowest data slots of each
    /// datacenter, taken only from slots before this one, so a node never seeds itself and always names nodes that
    /// started earlier. Only the very first slot, which founds a brand-new cluster, has itself as seed. (Should it
    /// ever come back empty, it must not start from this list: the membership reconciler and the node agent's boot
    /// hook start it as a replacement with seeds taken from ready nodes.)
    /// </summary>
    public IReadOnlyList<NodeSlot> SeedsFor(NodeSlot node)
    {
        var seeds = Slots.Where(s => s.Index < node.Index && IsSeedSlot(s)).ToList();
        return seeds.Count > 0 ? seeds : [node];
    }

    private static bool IsSeedSlot(NodeSlot s) => !s.IsArbiter && s.Ordinal < SeedsPerDatacenter;

    /// <summary>
    /// Changes this configuration would make to the identity of nodes an earlier up deployed: a node's datacenter,
    /// rack and broadcast address belong to its host ID, and ScyllaDB refuses (or splits) when they change.
    /// </summary>
    public IReadOnlyList<string> IdentityChanges()
    {
        var changes = new List<string>();
        foreach (var before in Stack.Deployed)
        {
            if (Slots.FirstOrDefault(s => s.Name == before.Name) is not { } now) continue; // removed: membership's business
            if (now.Datacenter != before.Datacenter) changes.Add($"node {before.Name} would move from datacenter {before.Datacenter} to {now.Datacenter}");
            if (now.Rack != before.Rack) changes.Add($"node {before.Name} would move from rack {before.Rack} to {now.Rack}");
            if (now.Address != before.Address) changes.Add($"node {before.Name} would change its address from {before.Address} to {now.Address}");
        }
        return changes;
    }

    /// <summary>True for the slots that appear in some node's seed list.</summary>
    public bool IsSeed(NodeSlot node) => Slots.Any(s => SeedsFor(s).Contains(node));

    /// <summary>The node count of a datacenter.</summary>
    public int NodesIn(string datacenter) => Slots.Count(s => s.Datacenter == datacenter);
}
