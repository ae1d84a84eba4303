using ScyllaApocryph.Providers.Apocryph.Registry.Proto;

namespace ScyllaApocryph.Providers.Apocryph.Registry;

/// <summary>
/// What this program takes from a provider's HostInfo: its libp2p peer id (the last component of a multiaddr that
/// ends in /p2p/..., as upstream's SetFirstConnectingProvider takes it), the host of its first multiaddr that starts
/// with /ip4, /ip6, /dns, /dns4 or /dns6 (where its NodePorts are assumed to be reached: HostInfo has no field for
/// that), and its regions. A profile is untrusted input: both values are checked before they can reach a plan.
/// </summary>
public sealed record ProviderProfile(string PeerId, string PublicHost, IReadOnlyList<RegistryRegion> Regions)
{
    public static ProviderProfile? From(HostInfo info, out string? problem)
    {
        problem = null;
        string? peer = null;
        string? host = null;
        foreach (var address in info.Multiaddrs)
        {
            var parts = address.Split('/');
            if (parts.Length < 3 || parts[0] != "") continue; // not a multiaddr (upstream warns and goes on)
            if (peer is null && parts.Length % 2 == 1 && parts[^2] is "p2p" or "ipfs") peer = parts[^1];
            if (host is null && parts[1] is "ip4" or "ip6" or "dns" or "dns4" or "dns6") host = parts[2];
        }
        if (peer is null || peer.Length is 0 or > 128 || !peer.All(char.IsAsciiLetterOrDigit))
            problem = peer is null ? "its profile has no /p2p/<peer id> multiaddr" : $"its profile's peer id '{Printable(peer)}' is not a libp2p peer id";
        else if (host is null || Uri.CheckHostName(host) == UriHostNameType.Unknown || host.Length > 253)
            problem = host is null ? "its profile has no /ip4, /ip6 or /dns multiaddr to reach its NodePorts at" : $"its profile's host '{Printable(host)}' is not a host name or IP address";
        if (problem is not null) return null;
        return new ProviderProfile(peer!, host!, [.. info.Regions.Select(r => new RegistryRegion(r.Name, r.Zone, r.Num))]);
    }

    private static string Printable(string text) => string.Concat(text.Take(80).Select(c => char.IsControl(c) ? '?' : c));
}
