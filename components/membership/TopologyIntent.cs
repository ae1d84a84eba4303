namespace ScyllaApocryph.Components.Membership;

/// <summary>
/// A topology operation recorded before it is issued (write-ahead), so a reconciler that crashed mid-action can tell,
/// from the cluster itself, whether the operation happened instead of issuing it twice.
/// </summary>
/// <param name="Issued">Set once the request returned; false means it may or may not have reached the cluster.</param>
public sealed record TopologyIntent(ActionKind Kind, string? Slot, string Address, string? HostId, DateTimeOffset RecordedAt,
    bool Issued = false)
{
    public static TopologyIntent For(MembershipAction action, DateTimeOffset at) =>
        new(action.Kind, action.Slot, action.Address ?? throw new ArgumentException("a topology action needs an address"),
            action.HostId, at);
}
