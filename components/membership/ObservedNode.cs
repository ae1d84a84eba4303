namespace ScyllaApocryph.Components.Membership;

/// <summary>One cluster member as the merged view sees it (a row of <c>nodetool status</c>).</summary>
/// <param name="HostId">Null when no reachable node reported it. ScyllaDB's host-ID map lists every node of the topology,
/// zero-token ones included, so this is null only when no observer's topology has the node (yet).</param>
/// <param name="Datacenter">Null while unknown: no observer's topology has the node yet (their snitch answers the default
/// location for it, which is never taken for the node's own).</param>
/// <param name="Disputed">Some observers see it live and others down (a partition, or gossip still converging). It counts
/// as up, so nothing is done to it, but it may be down for the rest of the cluster: no topology change waits on it.</param>
/// <param name="LocalHostId">What the node at this address says its own host ID is (null when its REST API did not answer).
/// While a node with the same address replaces another, the host-ID map may list either ID; this one is the process's own.</param>
/// <param name="NativeTransport">Whether the node at this address serves CQL (null when it did not answer). ScyllaDB starts
/// it once the node has joined, so a replacing node (never listed as joining in 2025.1) says false until it is Normal.</param>
public sealed record ObservedNode(string Address, string? HostId, string? Datacenter, string? Rack, NodeStatus Status, NodeState State,
    bool Disputed = false, string? LocalHostId = null, bool? NativeTransport = null)
{
    public bool IsUpNormal => Status == NodeStatus.Up && State == NodeState.Normal;
}
