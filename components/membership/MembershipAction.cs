namespace ScyllaApocryph.Components.Membership;

/// <summary>One decided action with the reason a person reads in the plan.</summary>
/// <param name="HostId">Replace: the dead host ID to take over. Remove: the host ID to remove.</param>
/// <param name="IgnoreHostIds">Other dead members the operation must ignore (ScyllaDB's ignore_dead_nodes).</param>
public sealed record MembershipAction(ActionKind Kind, string Reason, string? Slot = null, string? Address = null,
    string? HostId = null, IReadOnlyList<string>? IgnoreHostIds = null)
{
    public bool IsTopologyChange => Kind is ActionKind.Join or ActionKind.Replace or ActionKind.Remove or ActionKind.Decommission;

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}: {Reason}";
}
