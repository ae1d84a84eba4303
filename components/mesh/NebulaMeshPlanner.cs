namespace ScyllaApocryph.Components.Mesh;

/// <summary>
/// Lays out the mesh: who is a lighthouse, where everyone's underlay endpoint is, who relays for whom, and the
/// firewall. Pure: the same spec always gives the same configs.
/// </summary>
public static class NebulaMeshPlanner
{
    public static IReadOnlyList<NebulaNodeConfig> Plan(NebulaMeshSpec spec)
    {
        var errors = Validate(spec);
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors));

        var lighthouses = LighthouseNames(spec);
        var lighthouseIps = spec.Nodes.Where(n => lighthouses.Contains(n.Name)).Select(n => n.OverlayIp).ToList();
        // Every node with a public endpoint is listed: lighthouses must be, the rest saves a lighthouse query.
        var hostMap = spec.Nodes
            .Where(n => n.PublicHost is not null)
            .ToDictionary(n => n.OverlayIp, n => (IReadOnlyList<string>)[Endpoint(n)]);
        var anyBehindNat = spec.Nodes.Any(n => n.BehindNat);
        var firewall = ScyllaFirewallPolicy.For(spec.ClusterGroup, spec.InternodeTls, spec.OperatorGroup, spec.ClientGroups, spec.Ports);

        return [.. spec.Nodes.Select(n =>
        {
            var isLighthouse = lighthouses.Contains(n.Name);
            return new NebulaNodeConfig(
                n.Name,
                n.OverlayIp,
                AmLighthouse: isLighthouse,
                Lighthouses: isLighthouse ? [] : lighthouseIps,
                StaticHostMap: hostMap,
                Firewall: firewall,
                ListenPort: n.UdpPort,
                Punchy: spec.Punchy,
                // Lighthouses have public endpoints, so they relay for nodes behind NAT.
                AmRelay: isLighthouse && anyBehindNat,
                UseRelays: true,
                Relays: n.BehindNat ? lighthouseIps.Where(ip => ip != n.OverlayIp).ToList() : [],
                Mtu: spec.Mtu,
                LogLevel: spec.LogLevel);
        })];
    }

    /// <summary>The lighthouses: as configured, else the first node of each datacenter.</summary>
    public static IReadOnlySet<string> LighthouseNames(NebulaMeshSpec spec) =>
        spec.Lighthouses is { Count: > 0 } chosen
            ? chosen.ToHashSet(StringComparer.Ordinal)
            : spec.Nodes.GroupBy(n => n.Datacenter, StringComparer.Ordinal).Select(g => g.First().Name).ToHashSet(StringComparer.Ordinal);

    public static IReadOnlyList<string> Validate(NebulaMeshSpec spec)
    {
        var errors = new List<string>();
        if (spec.Nodes.Count == 0) errors.Add("the mesh has no nodes");
        foreach (var dup in spec.Nodes.GroupBy(n => n.OverlayIp).Where(g => g.Count() > 1))
            errors.Add($"overlay address {dup.Key} is used by {string.Join(", ", dup.Select(n => n.Name))}");
        foreach (var dup in spec.Nodes.GroupBy(n => n.Name).Where(g => g.Count() > 1))
            errors.Add($"node name {dup.Key} appears more than once");
        if (spec.Mtu is < 576 or > 9000) errors.Add($"tun MTU {spec.Mtu} is outside 576..9000");
        var names = spec.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var missing in (spec.Lighthouses ?? []).Where(l => !names.Contains(l)))
            errors.Add($"lighthouse '{missing}' is not a node of the mesh");
        if (errors.Count > 0) return errors;
        var lighthouses = LighthouseNames(spec);
        foreach (var n in spec.Nodes.Where(n => lighthouses.Contains(n.Name)))
        {
            if (n.PublicHost is null) errors.Add($"lighthouse '{n.Name}' needs a public address for static_host_map");
            if (n.BehindNat) errors.Add($"lighthouse '{n.Name}' is behind NAT; choose a reachable node as lighthouse");
        }
        if (spec.Nodes.Any(n => n.BehindNat) && lighthouses.Count == 0) errors.Add("nodes behind NAT need a lighthouse to relay through");
        return errors;
    }

    private static string Endpoint(NebulaMeshNode n) =>
        n.PublicHost!.Contains(':') ? $"[{n.PublicHost}]:{n.UdpPort}" : $"{n.PublicHost}:{n.UdpPort}";
}
