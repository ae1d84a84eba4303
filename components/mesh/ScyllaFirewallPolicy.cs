namespace ScyllaApocryph.Components.Mesh;

/// <summary>The overlay firewall a Scylla node needs, and nothing more.</summary>
public static class ScyllaFirewallPolicy
{
    public const int Internode = 7000;
    public const int InternodeTls = 7001;
    public const int Cql = 9042;
    public const int CqlShardAware = 19042;
    public const int Rest = 10000;

    /// <param name="clusterGroup">The Nebula group every node certificate of this cluster carries.</param>
    /// <param name="internodeTls">Also open 7001 (Scylla internode TLS on top of the overlay).</param>
    /// <param name="operatorGroup">
    /// The only group that may reach the REST API (10000), which has no authentication. Null: REST is not
    /// reachable over the overlay at all (the agent uses it on 127.0.0.1).
    /// </param>
    /// <param name="clientGroups">Extra groups (applications) allowed to use CQL.</param>
    public static NebulaFirewall For(string clusterGroup, bool internodeTls = false, string? operatorGroup = null,
        IReadOnlyList<string>? clientGroups = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterGroup);
        var inbound = new List<NebulaFirewallRule> { NebulaFirewallRule.TcpFromGroup(Internode, clusterGroup) };
        if (internodeTls) inbound.Add(NebulaFirewallRule.TcpFromGroup(InternodeTls, clusterGroup));
        foreach (var group in new[] { clusterGroup }.Concat(clientGroups ?? []).Distinct(StringComparer.Ordinal))
        {
            inbound.Add(NebulaFirewallRule.TcpFromGroup(Cql, group));
            inbound.Add(NebulaFirewallRule.TcpFromGroup(CqlShardAware, group));
        }
        inbound.Add(new NebulaFirewallRule("any", "icmp", Group: clusterGroup));
        if (!string.IsNullOrWhiteSpace(operatorGroup)) inbound.Add(NebulaFirewallRule.TcpFromGroup(Rest, operatorGroup));
        return new NebulaFirewall(inbound, [new NebulaFirewallRule("any", "any", Host: "any")]);
    }
}
