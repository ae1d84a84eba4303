namespace ScyllaApocryph.Components.Membership;

/// <summary>Ring state, the second letter of <c>nodetool status</c>. Anything but Normal is a topology operation in flight.</summary>
public enum NodeState
{
    Normal,
    Joining,
    Leaving,
    Moving,
}
