using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Scylla;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>
/// A ScyllaDB cluster behind the REST API (http://{address}:10000/...), following the documented rules:
/// host IDs; live/down by gossip (a stopped node is seen down 22 s after it stopped); joining/leaving;
/// no bootstrap while any node is down; replace takes over a dead node's ranges under a new host ID and bans the old;
/// removenode needs a down target and bans it (and its ignore list) from the start; decommission leaves the process
/// running, DECOMMISSIONED; removenode/decommission requests queue and are cancelled when a node no request excludes is
/// dead; with tablets a drain below RF rolls back; every topology operation needs a Raft majority of the voters (banned
/// nodes are not voters); one topology operation at a time. Upstream: scylla-2025.1.4 (service/storage_service.cc,
/// service/topology_coordinator.cc, api/token_metadata.cc, gms/gossiper.cc), cited where each rule is kept.
/// A topology operation finishes after <see cref="OperationDuration"/> of simulated time. Its POST answers when the
/// operation is accepted, or, with <see cref="TopologyPostsBlock"/>, when it has finished (what ScyllaDB does).
/// A booted process appears in gossip after <see cref="BootDelay"/>; the cluster's checks run then, not at boot.
/// A partitioned node cannot coordinate a topology operation: it reaches no Raft majority.
/// Zero-token nodes own no data: they never count towards a datacenter's RF.
/// Fault API: Kill, Revive, Partition, Heal, Slow, DropPackets, DropNextPostResponse.
/// </summary>
public sealed class ScyllaSimulator(TimeProvider clock) : HttpMessageHandler
{
    private readonly Lock _gate = new();
    private readonly List<SimNode> _nodes = [];
    private readonly HashSet<string> _banned = new(StringComparer.Ordinal);
    private readonly HashSet<string> _silent = new(StringComparer.Ordinal);

    // Host IDs whose join the cluster refused, cancelled or rolled back, with what it answers when one tries again
    // (service/storage_service.cc at scylla-2025.1.4, join_node_request_handler): the host ID stays on the volume.
    private readonly Dictionary<string, string> _spentHostIds = new(StringComparer.Ordinal);
    private readonly List<SimBoot> _boots = [];
    private SimOperation? _operation;
    private readonly List<SimRequest> _requests = [];
    private readonly List<SimNode> _decommissioned = [];
    private SimRequest? _current;
    private SimRequest? _lastRequest;
    private TimeSpan _answerAfter;
    private int _nextHostId;

    /// <summary>failure_detector_timeout_in_ms, 20 s by default (db/config.cc, scylla-2025.1.4).</summary>
    public TimeSpan FailureDetectorTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// gms/gossiper.cc (scylla-2025.1.4, failure_detector_loop_for_node) echoes every 2 s and convicts a node once no echo
    /// succeeded for echo interval + failure_detector_timeout: a crashed node is marked down 22-24 s after it stopped.
    /// The simulator takes the 22 s.
    /// </summary>
    public TimeSpan MarkedDownAfter => FailureDetectorTimeout + TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long after a node shows up in gossip its peers' topology still lacks it: peers list it live, but their snitch
    /// answers the default location for it (api/token_metadata.cc, scylla-2025.1.4: an address whose host ID is not in
    /// the topology gets endpoint_dc_rack::default_location, "datacenter1" / "rack1", with 200).
    /// </summary>
    public TimeSpan TopologyLag { get; init; }

    public TimeSpan OperationDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// removenode and decommission answer only once the operation has finished (or failed), as ScyllaDB's REST API
    /// does; the caller's cancellation abandons the wait but not the operation. Off: they answer when accepted.
    /// </summary>
    public bool TopologyPostsBlock { get; init; }

    /// <summary>How long a booted process takes to start and show up in gossip (and to be judged by the cluster).</summary>
    public TimeSpan BootDelay { get; init; }

    /// <summary>
    /// How long an accepted removenode/decommission stays invisible (its target still shows Normal): the window in which
    /// a reconciler that lost the POST's answer cannot tell from the cluster whether it arrived.
    /// </summary>
    public TimeSpan AcceptedVisibleAfter { get; init; }

    public Dictionary<string, int> ReplicationFactors { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Keyspaces use tablets (the image's default for new keyspaces). ScyllaDB 2025.1 makes no replication-factor check
    /// before removenode or decommission; with tablets, draining a node whose datacenter would keep fewer nodes than the
    /// RF fails and the operation rolls back ("Failed to drain tablets", service/topology_coordinator.cc at
    /// scylla-2025.1.4). With vnodes nothing stops it: the data is left under-replicated.
    /// </summary>
    public bool Tablets { get; init; } = true;

    /// <summary>How long a group-0 operation waits without a Raft quorum before it times out (raft_group0.cc: 1 minute).</summary>
    public TimeSpan RaftOperationTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Requests the coordinator cancelled, or whose drain failed, because the cluster changed after they were made.</summary>
    public List<string> Cancelled { get; } = [];

    /// <summary>Every accepted topology operation ("removenode host", "decommission addr", "replace host", "bootstrap addr").</summary>
    public List<string> Accepted { get; } = [];

    /// <summary>Every topology request the cluster refused, with ScyllaDB's reason, that was already refusable when made.</summary>
    public List<string> Rejected { get; } = [];

    /// <summary>
    /// Booted processes the cluster refused when they showed up although it would have taken them when booted: the
    /// cluster changed meanwhile (a node died during the <see cref="BootDelay"/>). The process exits as for any refusal.
    /// </summary>
    public List<string> RefusedAfterChange { get; } = [];

    public IReadOnlyCollection<string> Banned { get { lock (_gate) return _banned.ToList(); } }

    public SimOperation? Operation { get { lock (_gate) { Progress(); return _operation; } } }

    /// <summary>Members (not left, not removed): what a Raft group configuration would list.</summary>
    public IReadOnlyList<SimNode> Members { get { lock (_gate) { Progress(); return _nodes.ToList(); } } }

    // ---- provisioning (what booting a process does) ----

    /// <summary>Adds a member that is already Normal: the starting point of a test, an established cluster.</summary>
    public SimNode Establish(string address, string datacenter, bool zeroToken = false)
    {
        lock (_gate)
        {
            var node = new SimNode(NewHostId(), address, datacenter, zeroToken);
            _nodes.Add(node);
            return node;
        }
    }

    /// <summary>Starts a brand-new node. The first node founds the cluster; later ones bootstrap (Joining, then Normal).</summary>
    public SimNode Bootstrap(string address, string datacenter, bool zeroToken = false) =>
        Boot(address, datacenter, null, [], zeroToken).Node ?? throw new InvalidOperationException($"bootstrap {address}: not started yet");

    /// <summary>Starts an empty node with replace_node_first_boot=<paramref name="deadHostId"/>.</summary>
    public SimNode Replace(string address, string datacenter, string deadHostId, IReadOnlyCollection<string> ignoreDead, bool zeroToken = false) =>
        Boot(address, datacenter, deadHostId, ignoreDead, zeroToken).Node ?? throw new InvalidOperationException($"replace {deadHostId}: not started yet");

    /// <summary>
    /// Starts a process on an empty volume, fresh (<paramref name="replaceHostId"/> null) or as a replacement. With no
    /// <see cref="BootDelay"/> the cluster judges it at once and a refusal throws; otherwise it is judged when it shows up
    /// in gossip, and a refusal is recorded on the returned boot (the process exits).
    /// </summary>
    /// <param name="hostIdOnDisk">The host ID a previous start left on the volume (null: an empty volume, a new host ID).</param>
    public SimBoot Boot(string address, string datacenter, string? replaceHostId, IReadOnlyCollection<string> ignoreDead, bool zeroToken = false,
        string? hostIdOnDisk = null)
    {
        lock (_gate)
        {
            Progress();
            var boot = new SimBoot(address, datacenter, replaceHostId, ignoreDead.ToList(), zeroToken, clock.GetUtcNow() + BootDelay)
            {
                HostId = hostIdOnDisk ?? NewHostId(), // generated and written to the volume at first start
            };
            if (BootDelay <= TimeSpan.Zero)
            {
                Materialise(boot);
                if (boot.Failure is { } failure)
                {
                    var refused = new InvalidOperationException(failure);
                    refused.Data["hostId"] = boot.HostId; // left on the volume
                    throw refused;
                }
                return boot;
            }
            // Would the cluster have refused it had it shown up at once (another process still starting counts as an
            // operation in progress)? Then a later refusal was the instruction's fault, not a change meanwhile.
            boot.RefusableWhenBooted = Refusal(boot) is not null || _boots.Count > 0;
            _boots.Add(boot);
            return boot;
        }
    }

    private void Materialise(SimBoot boot)
    {
        if (Refusal(boot) is { } refusal)
        {
            _spentHostIds.TryAdd(boot.HostId, "The node has already been removed from the cluster");
            boot.Failure = refusal;
            (boot.RefusableWhenBooted || BootDelay <= TimeSpan.Zero ? Rejected : RefusedAfterChange).Add(refusal);
            return;
        }
        var node = new SimNode(boot.HostId, boot.Address, boot.Datacenter, boot.ZeroToken) { JoinedAt = clock.GetUtcNow() };
        _nodes.Add(node);
        boot.Node = node;
        if (_nodes.Count == 1) return; // founds the cluster
        node.State = NodeState.Joining;
        node.Replacing = boot.ReplaceHostId;
        if (boot.ReplaceHostId is { } replaced) Ban([replaced, .. boot.IgnoreDead]);
        Start(boot.ReplaceHostId is null ? "bootstrap" : "replace", node);
    }

    /// <summary>Why the cluster refuses this process as it shows up, or null: ScyllaDB's bootstrap and replace checks.</summary>
    private string? Refusal(SimBoot boot)
    {
        if (_spentHostIds.TryGetValue(boot.HostId, out var spent)) return $"join of {boot.HostId} at {boot.Address}: {spent}";
        if (boot.ReplaceHostId is not { } deadHostId)
        {
            if (_nodes.Count == 0) return null;
            var what = $"bootstrap {boot.Address}";
            if (_operation is not null) return $"{what}: another topology operation is in progress";
            if (!_nodes.All(n => IsLive(n) || IsBanned(n))) return $"{what}: cannot bootstrap while nodes are down: " + DownList();
            return HasMajority(null) ? null : $"{what}: Raft majority unavailable";
        }
        var replace = $"replace {deadHostId}";
        var dead = _nodes.FirstOrDefault(n => n.HostId == deadHostId);
        if (dead is null && _banned.Contains(deadHostId)) return $"{replace}: host {deadHostId} was removed and is banned";
        if (dead is null) return $"{replace}: host {deadHostId} is not a member";
        if (IsLive(dead)) return $"{replace}: host {deadHostId} is alive; cannot replace a live node";
        if (_operation is not null) return $"{replace}: another topology operation is in progress";
        if (NotNormalMember(boot.IgnoreDead) is { } bad) return $"{replace}: there is no node with id {bad} in normal state. Cannot ignore it.";
        var otherDown = _nodes.Where(n => n != dead && !IsLive(n) && !IsBanned(n) && !boot.IgnoreDead.Contains(n.HostId)).ToList();
        if (otherDown.Count > 0) return $"{replace}: other nodes are down and not ignored: " + string.Join(",", otherDown.Select(n => n.HostId));
        return HasMajority(null) ? null : $"{replace}: Raft majority unavailable";
    }

    // ---- faults ----

    /// <summary>Stops the process (crash or pod deleted). Peers notice after the failure-detector timeout.</summary>
    public void Kill(string address)
    {
        lock (_gate)
        {
            foreach (var n in _nodes.Concat(_decommissioned).Where(n => n.Address == address && n.Running)) (n.Running, n.StoppedAt) = (false, clock.GetUtcNow());
            foreach (var b in _boots.Where(b => b.Address == address)) b.Failure = "stopped before it showed up in gossip";
            _boots.RemoveAll(b => b.Address == address);
        }
    }

    /// <summary>
    /// Restarts the stopped process at the address on its own data (same host ID): the newest one there. An older one
    /// (a dead node being replaced) lost its volume with its instance and never runs again.
    /// </summary>
    public void Revive(string address)
    {
        lock (_gate)
            if (_nodes.LastOrDefault(n => n.Address == address) is { } n)
                n.Running = true;
    }

    /// <summary>Restarts this stopped process on its own data, if it is still a member.</summary>
    public void Revive(SimNode node)
    {
        lock (_gate)
            if (_nodes.Contains(node))
                node.Running = true;
    }

    /// <summary>Cuts the node off from its peers; its own REST API (reached locally) still answers.</summary>
    public void Partition(string address)
    {
        lock (_gate) foreach (var n in _nodes.Where(n => n.Address == address)) (n.Partitioned, n.StoppedAt) = (true, clock.GetUtcNow());
    }

    public void Heal(string address)
    {
        lock (_gate) foreach (var n in _nodes.Where(n => n.Address == address)) n.Partitioned = false;
    }

    /// <summary>Every REST answer from this node takes <paramref name="delay"/> of (simulated) time.</summary>
    public void Slow(string address, TimeSpan delay)
    {
        lock (_gate) foreach (var n in _nodes.Where(n => n.Address == address)) n.Slowness = delay;
    }

    /// <summary>
    /// The host at this address drops every packet without a word (a VM gone or firewalled, no RST): a request to it is
    /// neither answered nor refused, it hangs until the caller gives up. Its process, if any, is unaffected.
    /// </summary>
    public void DropPackets(string address, bool drop = true)
    {
        lock (_gate)
            if (drop) _silent.Add(address);
            else _silent.Remove(address);
    }

    /// <summary>The next POST to this node is carried out, but its response is lost (the caller sees a connection error).</summary>
    public void DropNextPostResponse(string address)
    {
        lock (_gate) foreach (var n in _nodes.Where(n => n.Address == address && n.Running)) n.DropNextPostResponse = true;
    }

    /// <summary>Completes whatever operation is due at the current simulated time.</summary>
    public void Tick()
    {
        lock (_gate) Progress();
    }

    public bool IsLiveNow(string address)
    {
        lock (_gate) return _nodes.Any(n => n.Address == address && IsLive(n));
    }

    // ---- REST API ----

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        SimNode node;
        bool drop;
        SimRequest? made;
        TimeSpan answerAfter;
        bool silent;
        lock (_gate) silent = _silent.Contains(uri.Host);
        if (silent)
        {
            await ClockDelay.Wait(clock, Timeout.InfiniteTimeSpan, cancellationToken);
            throw new InvalidOperationException("unreachable: an infinite wait ended without cancellation");
        }
        lock (_gate)
        {
            Progress();
            node = _nodes.LastOrDefault(n => n.Address == uri.Host && n.Running)
                ?? _decommissioned.LastOrDefault(n => n.Address == uri.Host && n.Running)
                ?? throw new HttpRequestException($"connection refused: {uri.Host}:{uri.Port}");
            if (uri.Port != 10000) throw new HttpRequestException($"connection refused: {uri.Host}:{uri.Port}");
        }
        if (node.Slowness > TimeSpan.Zero) await ClockDelay.Wait(clock, node.Slowness, cancellationToken);
        HttpResponseMessage response;
        lock (_gate)
        {
            Progress();
            if (!node.Running) throw new HttpRequestException($"connection reset: {uri.Host}");
            drop = request.Method == HttpMethod.Post && node.DropNextPostResponse;
            if (drop) node.DropNextPostResponse = false;
            var before = _lastRequest;
            _answerAfter = TimeSpan.Zero;
            response = _decommissioned.Contains(node)
                ? RouteDecommissioned(node, request.Method.Method, uri.AbsolutePath)
                : Route(node, request.Method.Method, uri.AbsolutePath, Query(uri));
            made = _lastRequest == before || request.Method != HttpMethod.Post ? null : _lastRequest;
            answerAfter = _answerAfter;
        }
        if (answerAfter > TimeSpan.Zero) await ClockDelay.Wait(clock, answerAfter, cancellationToken);
        if (made is not null && TopologyPostsBlock)
        {
            await UntilFinished(made, node, uri, cancellationToken);
            if (made.Failure is { } failure)
                response = Error(HttpStatusCode.InternalServerError,
                    $"{(made.Kind == "removenode" ? "Removenode" : "Decommission")} failed. See earlier errors ({failure}). Request ID: {made.Id}");
        }
        if (drop) throw new HttpRequestException($"connection reset by {uri.Host} before the response");
        return response;
    }

    /// <summary>
    /// A decommissioned node keeps running in DECOMMISSIONED mode with its transport stopped (service/storage_service.cc at
    /// scylla-2025.1.4): its REST API still answers, its gossiper does not ("The gossiper is not ready yet").
    /// </summary>
    private HttpResponseMessage RouteDecommissioned(SimNode self, string method, string path) => (method, path) switch
    {
        ("GET", "/storage_service/hostid/local") => Json(self.HostId),
        ("GET", "/storage_service/native_transport") => Json(false),
        ("GET", "/storage_service/host_id") => Error(HttpStatusCode.InternalServerError, "The gossiper is not ready yet"),
        ("GET", "/snitch/datacenter") => Json("datacenter1"), // it left: its topology no longer has it (default location)
        ("GET", "/snitch/rack") => Json("rack1"),
        ("GET", _) => Json(Array.Empty<string>()),
        _ => Error(HttpStatusCode.InternalServerError, $"local node {self.HostId} is not a member of the cluster"),
    };

    /// <summary>
    /// A blocking topology POST: answers once its request is done (carried out, cancelled or rolled back); the coordinator
    /// dying resets the connection.
    /// </summary>
    private async Task UntilFinished(SimRequest request, SimNode coordinator, Uri uri, CancellationToken ct)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                Progress();
                if (request.Done) return;
                if (!coordinator.Running) throw new HttpRequestException($"connection reset: {uri.Host} stopped during {request.Kind}");
                wait = _operation is { } op ? op.EndsAt - clock.GetUtcNow() : TimeSpan.FromSeconds(1);
            }
            await ClockDelay.Wait(clock, wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), ct);
        }
    }

    private HttpResponseMessage Route(SimNode self, string method, string path, Dictionary<string, string> query)
    {
        var everyone = _nodes.Select(n => n.Address).Distinct().ToList();
        return (method, path) switch
        {
            ("GET", "/storage_service/hostid/local") => Json(self.HostId),
            ("GET", "/gossiper/endpoint/live/") => Json(everyone.Where(a => LiveFrom(self, a)).ToList()),
            ("GET", "/gossiper/endpoint/down/") => Json(everyone.Where(a => !LiveFrom(self, a)).ToList()),
            // api/token_metadata.cc (scylla-2025.1.4): every node of the topology that has not left, zero-token (arbiter) and
            // bootstrapping ones included, keyed by address.
            ("GET", "/storage_service/host_id") =>
                // With two nodes at one address (a replace with the same IP), upstream keeps whichever pair its map got
                // first: either ID. The simulator lists the newer, the one that hides a replace still under way.
                Json(_nodes.Where(n => KnownTo(self, n)).GroupBy(n => n.Address).Select(g => new { key = g.Key, value = g.Last().HostId }).ToList()),
            // Bootstrapping nodes only: a replacing node is a replacing endpoint, never listed here (api/token_metadata.cc
            // get_joining_nodes lists bootstrap tokens; service/storage_service.cc at scylla-2025.1.4).
            ("GET", "/storage_service/nodes/joining") =>
                Json(_nodes.Where(n => Seen(n) == NodeState.Joining && n.Replacing is null).Select(n => n.Address).Distinct().ToList()),
            ("GET", "/storage_service/nodes/leaving") => Json(_nodes.Where(n => Seen(n) == NodeState.Leaving).Select(n => n.Address).Distinct().ToList()),
            ("GET", "/storage_service/nodes/moving") => Json(Array.Empty<string>()), // always empty upstream (api/token_metadata.cc)
            ("GET", "/storage_service/native_transport") => Json(self.State == NodeState.Normal),
            ("GET", "/snitch/datacenter") => Placement(self, query, n => n.Datacenter, "datacenter1"),
            ("GET", "/snitch/rack") => Placement(self, query, n => n.Rack, "rack1"),
            ("POST", "/storage_service/remove_node") => RemoveNode(self, query),
            ("POST", "/storage_service/decommission") => Decommission(self),
            _ => Error(HttpStatusCode.NotFound, $"no handler for {method} {path}"),
        };
    }

    /// <summary>
    /// api/token_metadata.cc (scylla-2025.1.4): no host (or an empty one) means this node; a host this node's topology does
    /// not know answers 200 with the default location, never an error ("nodetool status can race").
    /// </summary>
    private HttpResponseMessage Placement(SimNode self, Dictionary<string, string> query, Func<SimNode, string> pick, string fallback)
    {
        var host = query.GetValueOrDefault("host") is { Length: > 0 } h ? h : self.Address;
        return Json(_nodes.LastOrDefault(n => n.Address == host) is { } n && KnownTo(self, n) ? pick(n) : fallback);
    }

    /// <summary>Whether <paramref name="observer"/>'s topology has <paramref name="node"/> yet (see <see cref="TopologyLag"/>).</summary>
    private bool KnownTo(SimNode observer, SimNode node) => observer == node || clock.GetUtcNow() >= node.JoinedAt + TopologyLag;

    private HttpResponseMessage RemoveNode(SimNode coordinator, Dictionary<string, string> query)
    {
        var hostId = query.GetValueOrDefault("host_id") ?? "";
        var ignore = query.GetValueOrDefault("ignore_nodes")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var what = $"removenode {hostId}";
        var target = _nodes.FirstOrDefault(n => n.HostId == hostId);
        if (target is null && _banned.Contains(hostId)) return Reject(what, $"host {hostId} was already removed");
        if (target is null) return Reject(what, $"removenode: host id {hostId} is not found in the cluster");
        if (IsLive(target)) return Reject(what, $"node {target.Address} is alive; removenode only removes dead nodes");
        if (target.State != NodeState.Normal) return Reject(what, $"removenode: node {hostId} is in '{target.State}' state. Wait for it to be in 'normal' state");
        if (NotNormalMember(ignore) is { } bad) return Reject(what, $"removenode: there is no node with id {bad} in normal state. Cannot ignore it.");
        if (!HasMajority(coordinator)) return NoQuorum(what, "add_entry", coordinator);
        // Banned (and non-voters) from here on, whatever becomes of the request (storage_service.cc raft_removenode).
        var refusable = DeadBeforeRequest(except: [target.HostId, .. ignore]) || Tablets && BelowRf(target) is not null;
        Ban([target.HostId, .. ignore]);
        Request("removenode", target, refusable);
        return Json<object?>(null);
    }

    private HttpResponseMessage Decommission(SimNode self)
    {
        var what = $"decommission {self.Address}";
        if (self.State != NodeState.Normal) return Reject(what, $"local node is not in the normal state (current state: {self.State})");
        if (_requests.Any(r => r.Node == self)) return Reject(what, "a decommission of this node is already queued");
        if (!HasMajority(self)) return NoQuorum(what, "add_entry", self);
        Request("decommission", self, DeadBeforeRequest([]) || Tablets && BelowRf(self) is not null);
        return Json<object?>(null);
    }

    /// <summary>Queues a removenode/decommission; the coordinator takes it when the cluster is free (see <see cref="Coordinate"/>).</summary>
    private void Request(string kind, SimNode node, bool refusable)
    {
        _lastRequest = new SimRequest(Accepted.Count + Rejected.Count + Cancelled.Count + _requests.Count + 1, kind, node, refusable);
        _requests.Add(_lastRequest);
        Coordinate();
    }

    /// <summary>
    /// Without a Raft quorum a group-0 operation hangs until its timeout, then fails with this message
    /// (service/raft/raft_group_registry.cc at scylla-2025.1.4).
    /// </summary>
    private HttpResponseMessage NoQuorum(string what, string op, SimNode coordinator)
    {
        var voters = _nodes.Where(n => n.State != NodeState.Joining && !IsBanned(n)).ToList();
        var dead = voters.Where(n => coordinator.Partitioned ? n != coordinator : !IsLive(n)).ToList();
        _answerAfter = RaftOperationTimeout;
        var message = $"group [group0] raft operation [{op}] timed out, there is no raft quorum, total voters count {voters.Count}, " +
            $"alive voters count {voters.Count - dead.Count}, dead voters [{string.Join(",", dead.Select(n => n.HostId))}]";
        // A coordinator cut off so recently that no failure detector has noticed looks healthy to every observer: the
        // caller could not have known (found by seed 61qisVd1bgHUGCID), so it is a change meanwhile, not a wrong request.
        if (coordinator.Partitioned && clock.GetUtcNow() - coordinator.StoppedAt < MarkedDownAfter)
        {
            Cancelled.Add($"{what}: {message}");
            return Error(HttpStatusCode.InternalServerError, message);
        }
        return Reject(what, message);
    }

    /// <summary>
    /// How long before a request a dead node must already have been marked down for the request to count as the
    /// caller's fault: a caller observes, decides, then sends, and a poll alone may take its 5 s deadline. A node that
    /// died within this window died meanwhile (found by seeds 5JqpQ3covoujZcaq and 1KkK0RsbZZsOm-801).
    /// </summary>
    public TimeSpan ObservationLag { get; init; } = TimeSpan.FromSeconds(10);

    private bool DeadBeforeRequest(IReadOnlyCollection<string> except) =>
        DeadNotExcluded(except).Any(n => (!n.Running || n.Partitioned) && clock.GetUtcNow() - ObservationLag - n.StoppedAt >= MarkedDownAfter);

    /// <summary>Normal members that are down and not excluded (ignored or being removed): they stop every request.</summary>
    private List<SimNode> DeadNotExcluded(IReadOnlyCollection<string> except) =>
        _nodes.Where(n => n.State == NodeState.Normal && !IsLive(n) && !IsBanned(n) && !except.Contains(n.HostId)).ToList();

    /// <summary>
    /// The topology coordinator (service/topology_coordinator.cc at scylla-2025.1.4, get_next_task): one operation at a
    /// time; when the cluster is free, the next request starts, unless a normal node that no request excludes is dead:
    /// then every queued request is cancelled with "Canceled. Dead nodes: {...}".
    /// </summary>
    private void Coordinate()
    {
        if (_operation is not null || _requests.Count == 0) return;
        if (DeadNotExcluded([]) is { Count: > 0 } dead)
        {
            var why = $"Canceled. Dead nodes: {{{string.Join(", ", dead.Select(n => n.HostId))}}}";
            foreach (var r in _requests) Fail(r, why);
            _requests.Clear();
            return;
        }
        var next = _requests[0];
        _requests.RemoveAt(0);
        next.Node.State = NodeState.Leaving;
        _current = next;
        Start(next.Kind, next.Node);
    }

    private void Fail(SimRequest request, string why)
    {
        request.Failure = why;
        request.Done = true;
        (request.RefusableWhenMade ? Rejected : Cancelled).Add($"{request.Kind} {request.Node.HostId}: {why}");
    }

    // ---- rules ----

    /// <summary>
    /// Named in an ignore list, or the target of a removenode: banned from the start of the operation, for good, and no
    /// longer a voter (service/storage_service.cc at scylla-2025.1.4: raft_removenode adds the target to the ignored nodes
    /// and makes them non-voters; topology_state_load bans every ignored node: "We do not allow them to go back online").
    /// </summary>
    private bool IsBanned(SimNode n) => _banned.Contains(n.HostId);

    private void Ban(IEnumerable<string> hostIds)
    {
        foreach (var id in hostIds) _banned.Add(id);
    }

    /// <summary>An ignore list may name only members in normal state (storage_service.cc, scylla-2025.1.4).</summary>
    private string? NotNormalMember(IEnumerable<string> hostIds) =>
        hostIds.FirstOrDefault(id => !_nodes.Any(n => n.HostId == id && n.State == NodeState.Normal));

    /// <summary>A banned node is never live again for its peers, even if its process runs.</summary>
    private bool IsLive(SimNode n) => !IsBanned(n) && IsLiveUnbanned(n);

    private bool IsLiveUnbanned(SimNode n) =>
        (n.Running && !n.Partitioned) || clock.GetUtcNow() - n.StoppedAt < MarkedDownAfter && n.StoppedAt != default;

    private bool LiveFrom(SimNode observer, string address)
    {
        if (address == observer.Address) return true;
        if (observer.Partitioned)
            return clock.GetUtcNow() - observer.StoppedAt < MarkedDownAfter && _nodes.Any(n => n.Address == address && n.Running);
        return _nodes.Any(n => n.Address == address && IsLive(n));
    }

    /// <summary>
    /// Voters are all members except joining ones; a majority of them must be live, as seen from the coordinator: a
    /// partitioned coordinator reaches only itself, whatever its gossip still believes.
    /// </summary>
    private bool HasMajority(SimNode? coordinator)
    {
        var voters = _nodes.Where(n => n.State != NodeState.Joining && !IsBanned(n)).ToList();
        var reachable = coordinator is { Partitioned: true } ? voters.Count(n => n == coordinator) : voters.Count(IsLive);
        return 2 * reachable > voters.Count;
    }

    /// <summary>RF counts the nodes that own (or are taking over) ranges in the datacenter: zero-token nodes never do.</summary>
    private string? BelowRf(SimNode leaving)
    {
        if (leaving.ZeroToken) return null; // owns no data
        var rf = ReplicationFactors.GetValueOrDefault(leaving.Datacenter);
        var remaining = _nodes.Count(n => n != leaving && n.Datacenter == leaving.Datacenter && n.Replacing is null && !n.ZeroToken);
        return remaining < rf ? $"{leaving.Datacenter} would keep {remaining} node(s), fewer than its RF {rf}" : null;
    }

    /// <summary>The ring state peers report: an accepted operation shows only after <see cref="AcceptedVisibleAfter"/>.</summary>
    private NodeState Seen(SimNode n) =>
        _operation is { Kind: "removenode" or "decommission" } op && op.Node == n && clock.GetUtcNow() < op.StartedAt + AcceptedVisibleAfter
            ? NodeState.Normal
            : n.State;

    private void Start(string kind, SimNode node)
    {
        _operation = new SimOperation(kind, node, clock.GetUtcNow(), clock.GetUtcNow() + OperationDuration);
        Accepted.Add($"{kind} {(kind == "replace" ? node.Replacing : kind == "removenode" ? node.HostId : node.Address)}");
    }

    private void Progress()
    {
        FinishOperation();
        Coordinate();
        // Booted processes show up in gossip in boot order; each is judged by the cluster as it appears.
        while (_boots.Count > 0 && _boots[0].ShowsUpAt <= clock.GetUtcNow())
        {
            var boot = _boots[0];
            _boots.RemoveAt(0);
            Materialise(boot);
            FinishOperation();
            Coordinate();
        }
    }

    private void FinishOperation()
    {
        if (_operation is not { } op) return;
        if (op.Kind is "bootstrap" or "replace" && !op.Node.Running)
        {
            // The joining process died: the operation is rolled back and the node never became a member. Its host ID,
            // still on its volume, may not try again.
            _nodes.Remove(op.Node);
            _spentHostIds[op.Node.HostId] = "The node requested to join before but didn't finish the procedure. Please clear the data directory and restart.";
            _operation = null;
            return;
        }
        if (clock.GetUtcNow() < op.EndsAt) return;
        switch (op.Kind)
        {
            case "bootstrap":
                op.Node.State = NodeState.Normal;
                break;
            case "replace":
                var old = _nodes.First(n => n.HostId == op.Node.Replacing);
                _nodes.Remove(old);
                _banned.Add(old.HostId);
                op.Node.State = NodeState.Normal;
                op.Node.Replacing = null;
                break;
            case "removenode" or "decommission" when Tablets && BelowRf(op.Node) is { } rf:
                // The tablets cannot be drained: the operation rolls back (rollback_to_normal). A removenode target
                // stays banned: it was in the ignored nodes from the start.
                op.Node.State = NodeState.Normal;
                Fail(_current!, $"Failed to drain tablets: {rf}");
                break;
            case "removenode":
                _nodes.Remove(op.Node);
                _banned.Add(op.Node.HostId);
                break;
            case "decommission":
                // Left: its host ID is never seen again, but the process keeps running, DECOMMISSIONED.
                _nodes.Remove(op.Node);
                _decommissioned.Add(op.Node);
                _banned.Add(op.Node.HostId);
                break;
        }
        if (_current is { Done: false } current) current.Done = true;
        _current = null;
        _operation = null;
    }

    private HttpResponseMessage Reject(string what, string reason)
    {
        Rejected.Add($"{what}: {reason}");
        return Error(HttpStatusCode.InternalServerError, reason);
    }

    private string DownList() => string.Join(",", _nodes.Where(n => !IsLive(n) && !IsBanned(n)).Select(n => n.Address));

    private string NewHostId() => new Guid(Interlocked.Increment(ref _nextHostId), 0, 0, new byte[8]).ToString();

    private static Dictionary<string, string> Query(Uri uri) =>
        uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "");

    private static HttpResponseMessage Json<T>(T value) => new(HttpStatusCode.OK) { Content = JsonContent.Create(value) };

    private static HttpResponseMessage Error(HttpStatusCode status, string message) =>
        new(status) { Content = JsonContent.Create(new { message, code = (int)status }, options: new JsonSerializerOptions()) };
}
