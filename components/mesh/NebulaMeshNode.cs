namespace ScyllaApocryph.Components.Mesh;

/// <summary>One node slot as the mesh sees it.</summary>
/// <param name="OverlayIp">The slot's fixed overlay address (no prefix), see ScyllaApocryph.Components.Cluster.Topology.OverlayIp.</param>
/// <param name="PublicHost">The underlay address others can send UDP to (the provider's public address), if any.</param>
/// <param name="UdpPort">The node's Nebula UDP port on that address.</param>
/// <param name="BehindNat">Peers cannot reach it directly: it announces the lighthouses as its relays.</param>
public sealed record NebulaMeshNode(string Name, string Datacenter, string OverlayIp, string? PublicHost, int UdpPort = Defaults.Ports.NebulaUdp, bool BehindNat = false);
