using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ScyllaApocryph.Agent;

/// <summary>
/// Which of the stack's slots a caller of the agent API is. In tls mode: its node certificate (issued by the cluster CA,
/// which the handshake already checked), whose subject CN is the slot's name (components/cluster/SecurityMaterial.cs
/// issues one per slot with usage "node": serverAuth + clientAuth). The operator's and applications' certificate of
/// the same CA has clientAuth only and is nobody's slot. In nebula mode: the source address on the overlay, which
/// Nebula binds to the sender's host certificate (slot addresses are overlay IPs there). In none mode nothing is
/// authenticated: the caller's own claim (header <see cref="SlotHeader"/>) is taken, which only keeps honest agents
/// apart (a stale actor, a misrouted call).
/// </summary>
public static class PeerIdentity
{
    public const string SlotHeader = "X-Scylla-Apocryph-Slot";

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");

    /// <summary>The caller's slot, or null with why not.</summary>
    public static (string? Slot, string Why) Of(AgentConfig config, X509Certificate2? certificate, IPAddress? remote, string? claimed)
    {
        switch (config.Security)
        {
            case "tls":
                if (certificate is null) return (null, "no client certificate");
                var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
                if (!IsNodeCertificate(certificate)) return (null, $"certificate '{name}' is not a node certificate (no serverAuth usage)");
                return config.Slots.Any(s => s.Slot == name) ? (name, "") : (null, $"certificate '{name}' names no slot of the stack");
            case "nebula":
                if (remote is null) return (null, "no source address");
                var ip = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
                var slot = config.Slots.FirstOrDefault(s => IPAddress.TryParse(s.Address, out var a) && a.Equals(ip));
                return slot is null ? (null, $"overlay address {ip} is no slot of the stack") : (slot.Slot, "");
            default:
                if (string.IsNullOrEmpty(claimed)) return (null, $"no {SlotHeader} header (security none: the caller names itself)");
                return config.Slots.Any(s => s.Slot == claimed) ? (claimed, "") : (null, $"'{claimed}' is no slot of the stack");
        }
    }

    private static bool IsNodeCertificate(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ServerAuth.Value));
}
