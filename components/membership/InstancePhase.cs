namespace ScyllaApocryph.Components.Membership;

/// <summary>What the hosting side (autoscaler hooks / node agent) says about a slot's instance.</summary>
public enum InstancePhase
{
    /// <summary>No instance exists for the slot (not yet recreated, or deleted).</summary>
    Absent,

    /// <summary>An instance runs with an empty data volume and waits to be told how to boot (fresh or replace).</summary>
    AwaitingBoot,

    /// <summary>An instance runs ScyllaDB on its own data (possibly restarting); it needs no instruction.</summary>
    Running,
}
