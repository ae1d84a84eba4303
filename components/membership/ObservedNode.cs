namespace ScyllaApocryph.Components.Membership;

/// <summary>One cluster member as the merged view sees it (a row of <c>nodetool status</c>).</summary>
/// <param name="HostId">Null when no reachable node reported it. ScyllaDB's host-ID map lists every node of the topology,
/// zero-token ones included, so this is null only when no observer's topology has the node (yet).</param>
/// <param name="Datacenter">Null while unknown: no observer's topology has the node yet (their snitch answers the default
/// location for it, which is never taken for the node's own).</param>
/// <param name="Disputed">Some observers see it live and others down (a partition, or gossip still converging). It counts
/// as up, so nothing is done to it, but it may be down for the rest of the cluster: no topology change waits on it.</param>
public sealed record ObservedNode(string Address, string? HostId, string? Datacenter, string? Rack, NodeStatus Status, NodeState State,
    bool Disputed = false)
{
    public bool IsUpNormal => Status == NodeStatus.Up && State == NodeState.Normal;
}
