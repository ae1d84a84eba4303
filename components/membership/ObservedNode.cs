namespace ScyllaApocryph.Components.Membership;

/// <summary>One cluster member as the merged view sees it (a row of <c>nodetool status</c>).</summary>
/// <param name="HostId">Null when no reachable node reported it (e.g. a zero-token node that is down).</param>
public sealed record ObservedNode(string Address, string? HostId, string? Datacenter, string? Rack, NodeStatus Status, NodeState State)
{
    public bool IsUpNormal => Status == NodeStatus.Up && State == NodeState.Normal;
}
