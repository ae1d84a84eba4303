namespace ScyllaApocryph.Components.Mesh;

/// <summary>Nebula drops every inbound packet no rule allows; the rules here are the whole policy.</summary>
public sealed record NebulaFirewall(IReadOnlyList<NebulaFirewallRule> Inbound, IReadOnlyList<NebulaFirewallRule> Outbound);
