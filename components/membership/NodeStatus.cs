namespace ScyllaApocryph.Components.Membership;

/// <summary>Gossip liveness, the first letter of <c>nodetool status</c>.</summary>
public enum NodeStatus
{
    Up,
    Down,
}
