using ScyllaApocryph.Providers.Scylla;

namespace ScyllaApocryph.Agent;

/// <summary>
/// Whether the local node is ready, by the rule of ready.py (components/cluster/ReadinessCheck.cs): CQL is serving,
/// and an endpoint gossip maps to this node's own host ID is live and neither joining nor leaving. By host ID, not by
/// the slot's address: on Kubernetes that is a Service DNS name, while gossip lists IP addresses.
/// </summary>
public static class NodeReadiness
{
    /// <summary>Asks the local REST API; returns the node's host ID with the answer.</summary>
    public static async Task<(bool Ready, string HostId)> CheckAsync(ScyllaRestClient rest, CancellationToken ct)
    {
        var hostId = await rest.LocalHostIdAsync(ct);
        if (!await rest.NativeTransportRunningAsync(ct)) return (false, hostId);
        var mine = (await rest.HostIdMapAsync(ct)).Where(kv => kv.Value == hostId).Select(kv => kv.Key).ToList();
        if (mine.Count == 0) return (false, hostId);
        var live = await rest.LiveEndpointsAsync(ct);
        var busy = (await rest.JoiningAsync(ct)).Concat(await rest.LeavingAsync(ct)).ToHashSet(StringComparer.Ordinal);
        return (mine.Any(e => live.Contains(e) && !busy.Contains(e)), hostId);
    }
}
