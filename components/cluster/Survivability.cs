namespace ScyllaApocryph.Components.Cluster;

/// <summary>
/// Can the cluster lose any one provider and still change its topology and schema? Those changes need a Raft
/// majority of ALL nodes (a zero-token arbiter votes too), so for every provider the nodes elsewhere must be a
/// strict majority. Two equal datacenters fail this: losing either freezes the cluster.
/// </summary>
public static class Survivability
{
    /// <summary>One sentence per provider whose loss would cost the majority; empty when the layout survives.</summary>
    public static IReadOnlyList<string> Problems(Topology topology)
    {
        var total = topology.Slots.Count;
        var problems = new List<string>();
        foreach (var group in topology.Slots.GroupBy(s => s.Provider))
        {
            var remaining = total - group.Count();
            if (remaining * 2 > total) continue;
            problems.Add($"losing provider '{group.Key}' ({group.Count()} of {total} nodes) would leave {remaining}, " +
                         $"not a majority of {total}: the cluster could no longer change its topology or schema, so it could not replace the lost nodes");
        }
        return problems;
    }

    public const string Remedy =
        "Spread the nodes over three or more providers (one datacenter each), or add an arbiter — one zero-token node at a third provider " +
        "(scylla-apocryph:cluster.arbiter: { provider: NAME }) — or set scylla-apocryph:cluster.allowFragileTopology: true to accept the risk.";
}
