namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// A removenode or decommission request in the simulated topology coordinator's queue (service/topology_coordinator.cc at
/// scylla-2025.1.4: requests wait their turn; once none can proceed because of a dead node, every one is cancelled).
/// </summary>
/// <param name="RefusableWhenMade">The cluster already could not carry it out when it was made (a dead node that is not
/// ignored, or a datacenter the tablets could not be drained into): the caller's fault, not a change meanwhile.</param>
public sealed class SimRequest(int id, string kind, SimNode node, bool refusableWhenMade)
{
    public int Id { get; } = id;

    public string Kind { get; } = kind;

    public SimNode Node { get; } = node;

    public bool RefusableWhenMade { get; } = refusableWhenMade;

    /// <summary>Why it failed ("Canceled. Dead nodes: {...}", "Failed to drain tablets: ..."), or null.</summary>
    public string? Failure { get; set; }

    public bool Done { get; set; }
}
