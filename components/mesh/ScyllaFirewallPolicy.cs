namespace ScyllaApocryph.Components.Mesh;

/// <summary>
/// The TCP ports ScyllaDB listens on, as its scylla.yaml sets them. The firewall opens these numbers, so it must be
/// given the configured ones: a firewall built from Scylla's defaults would block a cluster with custom ports.
/// </summary>
/// <param name="Agent">The node agent's API port, open to the cluster's own nodes only; null when no agent runs.</param>
public sealed record ScyllaListenPorts(int Internode = 7000, int InternodeTls = 7001, int Cql = 9042, int CqlShardAware = 19042, int Rest = 10000,
    int? Agent = null);

/// <summary>The overlay firewall a Scylla node needs, and nothing more.</summary>
public static class ScyllaFirewallPolicy
{
    /// <param name="clusterGroup">The Nebula group every node certificate of this cluster carries.</param>
    /// <param name="internodeTls">Also open the internode TLS port (Scylla internode TLS on top of the overlay).</param>
    /// <param name="operatorGroup">
    /// The only group that may reach the REST API, which has no authentication. Null: REST is not
    /// reachable over the overlay at all (the agent uses it on 127.0.0.1).
    /// </param>
    /// <param name="clientGroups">Extra groups (applications) allowed to use CQL.</param>
    /// <param name="ports">The ports scylla.yaml configures; null means Scylla's defaults.</param>
    public static NebulaFirewall For(string clusterGroup, bool internodeTls = false, string? operatorGroup = null,
        IReadOnlyList<string>? clientGroups = null, ScyllaListenPorts? ports = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterGroup);
        var p = ports ?? new ScyllaListenPorts();
        var inbound = new List<NebulaFirewallRule> { NebulaFirewallRule.TcpFromGroup(p.Internode, clusterGroup) };
        if (internodeTls) inbound.Add(NebulaFirewallRule.TcpFromGroup(p.InternodeTls, clusterGroup));
        foreach (var group in new[] { clusterGroup }.Concat(clientGroups ?? []).Distinct(StringComparer.Ordinal))
        {
            inbound.Add(NebulaFirewallRule.TcpFromGroup(p.Cql, group));
            inbound.Add(NebulaFirewallRule.TcpFromGroup(p.CqlShardAware, group));
        }
        inbound.Add(new NebulaFirewallRule("any", "icmp", Group: clusterGroup));
        if (!string.IsNullOrWhiteSpace(operatorGroup)) inbound.Add(NebulaFirewallRule.TcpFromGroup(p.Rest, operatorGroup));
        if (p.Agent is { } agent) inbound.Add(NebulaFirewallRule.TcpFromGroup(agent, clusterGroup)); // agents talk to agents
        return new NebulaFirewall(inbound, [new NebulaFirewallRule("any", "any", Host: "any")]);
    }
}
