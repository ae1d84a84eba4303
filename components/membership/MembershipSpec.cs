namespace ScyllaApocryph.Components.Membership;

/// <summary>What the stack wants: the slots, the replication factor per datacenter, and the timing rules.</summary>
/// <param name="ReplicationFactors">The keyspaces' highest RF per datacenter. A datacenter that is absent has no known RF:
/// its nodes are never removed or decommissioned (say 0 explicitly once no keyspace replicates there).</param>
/// <param name="GracePeriod">How long a node must be seen down, continuously, before it counts as dead.</param>
/// <param name="MaxViewAge">An observation older than this is stale: nothing destructive is decided on it.</param>
/// <param name="MaxPollGap">Two polls further apart than this do not count as continuous observation.</param>
public sealed record MembershipSpec(
    IReadOnlyList<SlotSpec> Slots,
    IReadOnlyDictionary<string, int> ReplicationFactors,
    TimeSpan GracePeriod,
    TimeSpan MaxViewAge,
    TimeSpan MaxPollGap)
{
    /// <summary>
    /// Slots the previous stack configuration had and this one does not: they name a deleted slot's member and give
    /// its ordinal, so scale-down takes the highest slot first.
    /// </summary>
    public IReadOnlyList<SlotSpec> Retired { get; init; } = [];

    /// <summary>
    /// How long a booted node (join or replace) may take to show up at its slot's address. Until then the boot counts as
    /// the one topology operation in flight, so nothing else starts.
    /// </summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// How long a removenode or decommission that was (or may have been) issued may take to show in the view. Until then
    /// an intent without a trace is held: neither forgotten nor issued again. Default: grace period + view age.
    /// </summary>
    public TimeSpan OperationVisibleWithin
    {
        get => _operationVisibleWithin ?? GracePeriod + MaxViewAge;
        init => _operationVisibleWithin = value;
    }

    private readonly TimeSpan? _operationVisibleWithin;

    /// <summary>ScyllaDB's default failure_detector_timeout_in_ms is 20 s; the grace period defaults to twice that.</summary>
    public static readonly TimeSpan DefaultFailureDetectorTimeout = TimeSpan.FromMilliseconds(Defaults.FailureDetectorTimeoutMs);

    public static MembershipSpec Create(IReadOnlyList<SlotSpec> slots, IReadOnlyDictionary<string, int> replicationFactors,
        TimeSpan? failureDetectorTimeout = null)
    {
        var fd = failureDetectorTimeout ?? DefaultFailureDetectorTimeout;
        return new MembershipSpec(slots, replicationFactors, 2 * fd, fd, fd);
    }

    public SlotSpec? SlotAt(string address) => Slots.FirstOrDefault(s => s.Address == address);

    public SlotSpec? RetiredAt(string address) => Retired.FirstOrDefault(s => s.Address == address);
}
