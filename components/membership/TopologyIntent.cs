namespace ScyllaApocryph.Components.Membership;

/// <summary>
/// A topology operation recorded before it is issued (write-ahead), so a reconciler that crashed mid-action can tell,
/// from the cluster itself, whether the operation happened instead of issuing it twice.
/// </summary>
/// <param name="Issued">Set once the request returned; false means it may or may not have reached the cluster.</param>
/// <param name="IgnoreHostIds">The other dead members the operation ignores, which ScyllaDB bans for good.</param>
public sealed record TopologyIntent(ActionKind Kind, string? Slot, string Address, string? HostId, DateTimeOffset RecordedAt,
    bool Issued = false, IReadOnlyList<string>? IgnoreHostIds = null)
{
    public static TopologyIntent For(MembershipAction action, DateTimeOffset at) =>
        new(action.Kind, action.Slot, action.Address ?? throw new ArgumentException("a topology action needs an address"),
            action.HostId, at, IgnoreHostIds: action.IgnoreHostIds);

    /// <summary>
    /// Host IDs that are no longer Raft voters once this intent is known to have reached the cluster: a removenode that
    /// returned bans its target and every ignored node at submission (service/storage_service.cc at scylla-2025.1.4,
    /// raft_removenode: the target joins the ignore list, set_voters_status(ignored_ids, can_vote::no) precedes the
    /// request, and topology_state_load bans every ignored node: "We do not allow them to go back online"). Empty while
    /// the request may not have arrived, and for the other kinds, whose bans this side cannot see take effect.
    /// </summary>
    public IReadOnlyList<string> BannedHostIds() =>
        Kind == ActionKind.Remove && Issued && HostId is not null ? [HostId, .. IgnoreHostIds ?? []] : [];
}
