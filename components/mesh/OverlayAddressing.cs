using System.Net;
using System.Net.Sockets;

namespace ScyllaApocryph.Components.Mesh;

/// <summary>
/// Fixed overlay addresses per node slot: a slot keeps its address for life, because Scylla must never see a
/// host ID change address. Slot n of the whole cluster gets host number n + 1 inside the overlay network.
/// </summary>
public static class OverlayAddressing
{
    /// <summary>"10.42.0.0/16", slot 0 gives "10.42.0.1/16" (the form nebula-cert's -ip takes).</summary>
    public static string CidrForSlot(string overlayCidr, int slot)
    {
        var (network, prefix) = Parse(overlayCidr);
        var hosts = (1L << (32 - prefix)) - 2;
        if (slot < 0 || slot >= hosts)
            throw new ArgumentOutOfRangeException(nameof(slot), $"slot {slot} does not fit in {overlayCidr} ({hosts} host addresses)");
        var value = network + (uint)slot + 1;
        return $"{ToAddress(value)}/{prefix}";
    }

    /// <summary>The bare address of a slot ("10.42.0.1").</summary>
    public static string AddressForSlot(string overlayCidr, int slot) => CidrForSlot(overlayCidr, slot).Split('/')[0];

    private static (uint Network, int Prefix) Parse(string cidr)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var ip) || ip.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(parts[1], out var prefix) || prefix is < 8 or > 30)
            throw new FormatException($"'{cidr}' is not an IPv4 network such as 10.42.0.0/16 (prefix 8..30)");
        var bytes = ip.GetAddressBytes();
        var value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (value & mask, prefix);
    }

    private static string ToAddress(uint v) => $"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}";
}
