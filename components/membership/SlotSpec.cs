namespace ScyllaApocryph.Components.Membership;

/// <summary>
/// One desired node slot. The address is the slot's fixed identity (Nebula overlay IP or equivalent):
/// it never changes for the slot, so the view's address is how a live node is matched to its slot.
/// </summary>
/// <param name="ZeroToken">An arbiter node (<c>join_ring: false</c>): votes in Raft, owns no data.</param>
public sealed record SlotSpec(string Slot, string Datacenter, int Ordinal, string Address, bool ZeroToken = false);
