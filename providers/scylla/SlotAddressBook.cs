using System.Net;

namespace ScyllaApocryph.Providers.Scylla;

/// <summary>
/// Which slot each node ScyllaDB lists belongs to. ScyllaDB names nodes by IP (gossip's live and down lists, the host ID
/// map: api-doc at scylla-2025.1.4); the stack names slots by address, a DNS name on Kubernetes. Evidence, strongest first:
/// <list type="number">
/// <item>the node's address is a slot's address (slots named by IP: compose, Apocryph, the overlay);</item>
/// <item>its host ID (from the host ID map) was answered as the local host ID by the node reached at a slot's name, in
/// this poll or an earlier one, or was reported by the slot's agent (a host ID belongs to one volume, and a volume to
/// one slot: the agent's identity file);</item>
/// <item>the slot's name resolves now, or last resolved, to exactly that IP, and to no other slot's name.</item>
/// </list>
/// Never a guess: a node no evidence ties to one slot keeps its own address, a member of no slot, as before. When two
/// nodes map to one slot (a replacement at a new IP beside its dead predecessor), the slot keeps the one that answered at
/// its name this poll; if none did, neither is matched. Only named slots are matched this way: a slot named by IP stays
/// exactly what ScyllaDB says is at that IP.
/// </summary>
internal sealed class SlotAddressBook(ISlotAddressResolver? names)
{
    private readonly Dictionary<string, string> _slotOfHostId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _lastIps = new(StringComparer.Ordinal);

    /// <summary>
    /// Host-ID evidence from outside the poll: the slot's node agent reports the host ID on its volume (its identity
    /// file), which ties the node to the slot even when it is dead and was never reached by this observer.
    /// </summary>
    public void Remember(string slot, string hostId) => _slotOfHostId[hostId] = slot;

    /// <param name="slots">Every address the poll asked (slots and retired slots).</param>
    /// <param name="answers">Who answered at which slot address, with the host ID it says is its own.</param>
    /// <param name="members">Every node ScyllaDB listed, by its address.</param>
    /// <param name="hostIds">The host ID of each listed address, as the host ID maps say.</param>
    /// <returns>For each member, the address to key it by: its slot's, or its own.</returns>
    public async Task<Dictionary<string, string>> KeysAsync(IReadOnlyList<string> slots, IReadOnlyList<(string Slot, string HostId)> answers,
        IReadOnlyList<string> members, IReadOnlyDictionary<string, string> hostIds, CancellationToken ct)
    {
        var literal = slots.Where(s => IPAddress.TryParse(s, out _)).ToHashSet(StringComparer.Ordinal);
        var named = slots.Where(s => !literal.Contains(s)).ToHashSet(StringComparer.Ordinal);
        foreach (var (slot, id) in answers.Where(a => named.Contains(a.Slot))) _slotOfHostId[id] = slot;

        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var unmatched = new List<string>();
        foreach (var m in members)
        {
            if (slots.Contains(m)) keys[m] = m;
            else if (hostIds.GetValueOrDefault(m) is { } id && _slotOfHostId.TryGetValue(id, out var slot) && named.Contains(slot)) keys[m] = slot;
            else unmatched.Add(m);
        }

        if (unmatched.Count > 0 && names is not null)
        {
            var open = named.Where(s => !keys.ContainsValue(s)).Order(StringComparer.Ordinal).ToList();
            await ResolveAsync(names, open, ct);
            foreach (var m in unmatched)
            {
                // A host ID already tied to a slot is never re-tied by DNS (an IP a dead pod's record left behind may be reused).
                if (hostIds.GetValueOrDefault(m) is { } id && _slotOfHostId.ContainsKey(id)) continue;
                var candidates = open.Where(s => _lastIps.TryGetValue(s, out var ips) && ips.Any(ip => SameIp(ip, m))).ToList();
                if (candidates.Count == 1) keys[m] = candidates[0];
            }
        }
        foreach (var m in unmatched) keys.TryAdd(m, m);

        foreach (var shared in keys.Where(k => k.Key != k.Value).GroupBy(k => k.Value).Where(g => g.Count() > 1).ToList())
        {
            var occupant = answers.FirstOrDefault(a => a.Slot == shared.Key).HostId;
            foreach (var (m, _) in shared)
                if (occupant is null || hostIds.GetValueOrDefault(m) != occupant) keys[m] = m;
        }
        return keys;
    }

    // ScyllaDB prints an IPv6 address as eight uncompressed groups (gms/inet_address.cc at scylla-2025.1.4), .NET compresses
    // zeros: compare addresses, not strings.
    private static bool SameIp(string a, string b) =>
        a == b || IPAddress.TryParse(a, out var x) && IPAddress.TryParse(b, out var y) && x.Equals(y);

    /// <summary>Resolves every name at once; a name that answers nothing (or fails) keeps its last known addresses.</summary>
    private async Task ResolveAsync(ISlotAddressResolver resolver, List<string> slots, CancellationToken ct)
    {
        var answers = await Task.WhenAll(slots.Select(async s =>
        {
            try
            {
                return (Slot: s, Ips: await resolver.ResolveAsync(s, ct));
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException or TimeoutException)
            {
                return (Slot: s, Ips: (IReadOnlyList<string>)[]);
            }
        }));
        foreach (var (slot, ips) in answers.Where(a => a.Ips.Count > 0)) _lastIps[slot] = ips;
    }
}
