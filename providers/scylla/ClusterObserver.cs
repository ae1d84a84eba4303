using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Providers.Scylla;

/// <summary>
/// Builds a <c>nodetool status</c>-like view by asking every reachable node and merging what they say.
/// Merging is conservative: a node any observer sees live counts as up (so nothing is done to it), and every
/// disagreement between observers is reported in the view.
/// A poll is bounded: every node and every question is asked at once, with no retry (the next poll is the retry), and
/// the whole poll ends after one request timeout. A host that silently drops packets would otherwise cost a poll three
/// timeouts plus backoff (about 15.6 s with the defaults), polls would drift further apart than the history's
/// MaxPollGap, and no node would ever be seen down for long enough to count as dead. The view is stamped with the time
/// the poll started, the earliest instant any answer can describe.
/// </summary>
public sealed class ClusterObserver(HttpClient http, IScyllaEndpointResolver resolver, TimeProvider clock, ScyllaRestOptions? options = null,
    ISlotAddressResolver? names = null)
{
    private readonly Dictionary<string, (string Dc, string Rack)> _placement = new(StringComparer.Ordinal);
    private readonly SlotAddressBook _book = new(names);

    /// <summary>Ties <paramref name="hostId"/> to the slot at <paramref name="slotAddress"/> (a slot named by DNS): see <see cref="SlotAddressBook"/>.</summary>
    public void Remember(string slotAddress, string hostId) => _book.Remember(slotAddress, hostId);

    public async Task<ScyllaRestClient?> ClientForAsync(string address, CancellationToken ct) =>
        await resolver.ResolveAsync(address, ct) is { } uri ? new ScyllaRestClient(http, uri, clock, options) : null;

    private readonly ScyllaRestOptions _pollOptions = (options ?? ScyllaRestOptions.Default) with { GetRetries = 0 };

    /// <summary>How long one poll may take, all nodes together: one request timeout.</summary>
    public TimeSpan PollTimeout => _pollOptions.RequestTimeout;

    public async Task<ClusterView> ObserveAsync(IEnumerable<string> addresses, CancellationToken caller)
    {
        var at = clock.GetUtcNow();
        using var deadline = new CancellationTokenSource(PollTimeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(caller, deadline.Token);
        var ct = linked.Token;
        var targets = addresses.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var reports = await Task.WhenAll(targets.Select(a => AskAsync(a, ct)));
        var answered = reports.OfType<NodeReport>().ToList();
        var disagreements = new List<string>();

        // ScyllaDB names nodes by IP; the stack names slots by address (a DNS name on Kubernetes): key each node by its slot.
        var members = answered.SelectMany(r => r.Live.Concat(r.Down)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var hostIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in answered)
        {
            hostIds.TryAdd(r.Address, r.LocalHostId);
            foreach (var (ep, id) in r.HostIds)
            {
                if (hostIds.TryGetValue(ep, out var seen) && seen != id) disagreements.Add($"{r.Address} maps {ep} to {id}, another node to {seen}");
                hostIds.TryAdd(ep, id);
            }
        }
        var keys = await _book.KeysAsync(targets, answered.Select(r => (r.Address, r.LocalHostId)).ToList(), members, hostIds, ct);

        var nodes = new List<ObservedNode>();
        foreach (var m in members)
        {
            var key = keys[m];
            var liveBy = answered.Where(r => r.Live.Contains(m)).Select(r => r.Address).ToList();
            var downBy = answered.Where(r => r.Down.Contains(m)).Select(r => r.Address).ToList();
            if (liveBy.Count > 0 && downBy.Count > 0)
                disagreements.Add($"{key} is live for {string.Join(",", liveBy)} but down for {string.Join(",", downBy)}");
            // No /storage_service/nodes/moving: ScyllaDB answers it with an empty list, always (api/token_metadata.cc, 2025.1.4).
            var state = answered.Any(r => r.Joining.Contains(m)) ? NodeState.Joining
                : answered.Any(r => r.Leaving.Contains(m)) ? NodeState.Leaving
                : NodeState.Normal;
            var (dc, rack) = await PlacementAsync(m, key, answered, ct, caller);
            var own = answered.FirstOrDefault(r => r.Address == key);
            nodes.Add(new ObservedNode(key, hostIds.GetValueOrDefault(m), dc, rack,
                liveBy.Count > 0 ? NodeStatus.Up : NodeStatus.Down, state, Disputed: liveBy.Count > 0 && downBy.Count > 0,
                LocalHostId: own?.LocalHostId, NativeTransport: own?.NativeTransport));
        }
        caller.ThrowIfCancellationRequested();
        return new ClusterView(at, nodes, answered.Select(r => r.Address).ToList(), disagreements);
    }

    /// <summary>
    /// ScyllaDB's default location. /snitch/datacenter?host= answers it, with 200, for an address its topology does not
    /// know (yet): api/token_metadata.cc at scylla-2025.1.4 returns endpoint_dc_rack::default_location rather than an
    /// error. Such an answer says nothing about the node, so it is never cached nor decided on. (A stack may not name a
    /// datacenter so: see ClusterRules.)
    /// </summary>
    public const string DefaultDatacenter = "datacenter1";

    /// <param name="address">The node as ScyllaDB names it (its IP), what <c>?host=</c> takes.</param>
    /// <param name="key">Its slot's address, or the node's own address when it matches no slot.</param>
    private async Task<(string?, string?)> PlacementAsync(string address, string key, List<NodeReport> answered, CancellationToken ct,
        CancellationToken caller)
    {
        if (_placement.TryGetValue(key, out var known)) return known;
        if (answered.FirstOrDefault(r => r.Address == key) is { Own.Dc: var own } self && own != DefaultDatacenter)
            return _placement[key] = self.Own;
        foreach (var r in answered)
        {
            try
            {
                var dc = await r.Client.DatacenterOfAsync(address, ct);
                if (dc == DefaultDatacenter) continue; // this observer does not know the node yet: ask another, cache nothing
                var placement = (dc, await r.Client.RackOfAsync(address, ct));
                _placement[key] = placement; // a node's DC and rack never change for its slot (or its address)
                return placement;
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or ScyllaRestException ||
                e is OperationCanceledException && !caller.IsCancellationRequested)
            {
            }
        }
        return (null, null); // unknown this poll; asked again next poll
    }

    private async Task<NodeReport?> AskAsync(string address, CancellationToken ct)
    {
        try
        {
            if (await resolver.ResolveAsync(address, ct) is not { } uri) return null;
            var client = new ScyllaRestClient(http, uri, clock, _pollOptions);
            // All at once: a node that answers takes one round trip, one that does not costs one timeout, not seven.
            var local = client.LocalHostIdAsync(ct);
            var live = client.LiveEndpointsAsync(ct);
            var down = client.DownEndpointsAsync(ct);
            var ids = client.HostIdMapAsync(ct);
            var joining = client.JoiningAsync(ct);
            var leaving = client.LeavingAsync(ct);
            var serving = client.NativeTransportRunningAsync(ct);
            // Its own location too (no host: this node), in the same round trip, so a slow peer elsewhere in the poll
            // never leaves a node that answers without its datacenter.
            var ownDc = client.DatacenterOfAsync("", ct);
            var ownRack = client.RackOfAsync("", ct);
            await Task.WhenAll(local, live, down, ids, joining, leaving, serving, ownDc, ownRack);
            return new NodeReport(address, client, local.Result, live.Result.ToHashSet(), down.Result.ToHashSet(), ids.Result,
                joining.Result.ToHashSet(), leaving.Result.ToHashSet(), serving.Result, (ownDc.Result, ownRack.Result));
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or ScyllaRestException or OperationCanceledException)
        {
            // Unreachable this poll (or the poll's time is up): the view says so through Reachable. The caller's own
            // cancellation is rethrown by ObserveAsync.
            return null;
        }
    }

    private sealed record NodeReport(string Address, ScyllaRestClient Client, string LocalHostId, HashSet<string> Live, HashSet<string> Down,
        IReadOnlyDictionary<string, string> HostIds, HashSet<string> Joining, HashSet<string> Leaving, bool NativeTransport,
        (string Dc, string Rack) Own);
}
