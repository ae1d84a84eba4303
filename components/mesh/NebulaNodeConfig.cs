namespace ScyllaApocryph.Components.Mesh;

/// <summary>
/// Everything about one node's Nebula config except its certificates (which exist only after apply).
/// </summary>
/// <param name="Lighthouses">Overlay IPs of the lighthouses this node asks (empty on a lighthouse).</param>
/// <param name="StaticHostMap">Overlay IP to underlay "host:port" endpoints; must cover every lighthouse.</param>
/// <param name="Relays">Overlay IPs of relays peers may use to reach this node (set for nodes behind NAT).</param>
/// <param name="Mtu">Tun MTU: 1300 leaves room for Nebula's header on paths with a 1400-byte MTU.</param>
public sealed record NebulaNodeConfig(
    string Name,
    string OverlayIp,
    bool AmLighthouse,
    IReadOnlyList<string> Lighthouses,
    IReadOnlyDictionary<string, IReadOnlyList<string>> StaticHostMap,
    NebulaFirewall Firewall,
    int ListenPort = Defaults.Ports.NebulaUdp,
    string ListenHost = "0.0.0.0",
    bool Punchy = true,
    bool AmRelay = false,
    bool UseRelays = true,
    IReadOnlyList<string>? Relays = null,
    string TunDevice = "nebula1",
    int Mtu = 1300,
    string LogLevel = "info");
