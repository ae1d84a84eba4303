namespace ScyllaApocryph.Components.Mesh;

/// <summary>
/// One Nebula firewall rule. <paramref name="Port"/> is a number, a range "a-b", or "any";
/// <paramref name="Proto"/> is tcp, udp, icmp or any; exactly one of group/host/cidr says who.
/// </summary>
public sealed record NebulaFirewallRule(string Port, string Proto, string? Group = null, string? Host = null, string? Cidr = null)
{
    public static NebulaFirewallRule TcpFromGroup(int port, string group) => new(port.ToString(System.Globalization.CultureInfo.InvariantCulture), "tcp", Group: group);
}
