using System.Net.Http.Json;
using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Providers.Scylla;

namespace ScyllaApocryph.Agent;

/// <summary>
/// One node's agent: lock the volume, check its identity, decide how ScyllaDB starts (restart on data; on an empty
/// volume found, join or replace as decided), run ScyllaDB as a child, and take part in the actor election; the actor
/// reconciles membership with the shared decision core.
/// </summary>
public sealed class NodeAgent
{
    private volatile AgentConfig _config;
    private readonly string? _configPath;
    private readonly TimeProvider _clock = TimeProvider.System;
    private readonly JsonLog _log;
    private readonly PeerClient _peers;
    private readonly HttpClient _loopback = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Uri _api;
    private readonly TaskCompletionSource<BootPlan> _instruction = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string _phase = "Locking";
    private volatile bool _ready;
    private int _childGeneration; // which ScyllaDB process a readiness answer is about (bumped at every stop and start)
    private string? _hostId;
    private PromiseStore? _promises;
    private volatile bool _restartPending;
    private string? _appliedInputs;

    public AgentMetrics Metrics { get; } = new();

    public string InstanceId { get; }

    /// <param name="configPath">The agent.json the configuration came from: watched and reloaded when it changes.</param>
    public NodeAgent(AgentConfig config, string? configPath = null)
    {
        _config = config;
        _configPath = configPath;
        _log = new JsonLog(config.Slot);
        _peers = new PeerClient(() => _config);
        _api = new Uri($"http://127.0.0.1:{config.ScyllaApiPort}/");
        InstanceId = config.InstanceId ?? $"{Environment.MachineName}-{Environment.ProcessId}";
    }

    public AgentConfig Config => _config;

    public PeerClient Peers => _peers;

    public Uri ScyllaApi => _api;

    public PromiseStore Promises => _promises ?? throw new InvalidOperationException("not started");

    public MajorityLease? Lease { get; private set; }

    public FleetHooks? Hooks { get; private set; }

    public RestartToken? RestartToken { get; private set; }

    /// <summary>Its inputs changed since its ScyllaDB started: it waits for the restart token.</summary>
    public bool RestartPending => _restartPending;

    public bool Ready => _ready;

    public InstanceReport Report() => new(_config.Cluster, _config.Slot, InstanceId,
        _phase switch { "AwaitingBoot" => InstancePhase.AwaitingBoot, "Running" or "Restarting" => InstancePhase.Running, _ => InstancePhase.Absent },
        _hostId, _ready, _restartPending);

    /// <summary>Runs until ScyllaDB exits or <paramref name="stop"/> (SIGTERM); returns the exit code for the process.</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        Metrics.Phase(_phase);
        using var volumeLock = await VolumeLock.AcquireAsync(_config.DataDirectory, $"agent pid {Environment.ProcessId} ({InstanceId})",
            TimeSpan.FromMilliseconds(200), _log.Info, stop);
        _log.Event("lock", $"holding the volume lock on {_config.DataDirectory}");
        var identity = VolumeIdentity.Read(_config.DataDirectory);
        identity?.CheckBelongsTo(_config.Cluster, _config.Slot, _config.DataDirectory);
        _hostId = identity?.HostId;
        var hasData = HasScyllaData();
        if (identity is null) (identity = new VolumeIdentity(_config.Cluster, _config.Slot)).Write(_config.DataDirectory);

        _promises = new PromiseStore(_config.DataDirectory, _clock, TimeSpan.FromMilliseconds(_config.LeaseTtlMs), intactWhenEmpty: _config.NewCluster);
        Lease = new MajorityLease(() => _config, _peers, _promises, _clock, _log.Info);
        _peers.Term = () => Lease.Term;
        Hooks = new FleetHooks(() => _config, _peers, Report, () => Lease.Term, AcceptBoot, Metrics, _log.Info);
        RestartToken = new RestartToken(() => _config, _peers, _promises);
        await using var api = await AgentApi.StartAsync(this, _log);
        using var actorStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var actor = Task.Run(() => new Actor(this, _log).RunAsync(actorStop.Token), CancellationToken.None);
        var watcher = Task.Run(() => new InputWatcher(this, _configPath, _log).RunAsync(actorStop.Token), CancellationToken.None);
        _ = Task.Run(() => IntentRecovery.RunAsync(_config, _peers, _promises, _log, actorStop.Token), CancellationToken.None);

        BootPlan plan;
        try
        {
            plan = hasData ? await RestartPlanAsync(stop) : await EmptyVolumePlanAsync(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            _log.Event("stop", "stopped before ScyllaDB was started");
            await actorStop.CancelAsync();
            await Task.WhenAll(Ignore(actor), Ignore(watcher));
            return 0;
        }
        var child = StartScylla(plan);
        var monitor = Task.Run(() => MonitorAsync(actorStop.Token), CancellationToken.None);

        while (true)
        {
            using var turn = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var exited = child.WaitAsync(CancellationToken.None);
            var stopped = Task.Delay(Timeout.Infinite, stop);
            var restart = WaitForRestartTurnAsync(turn.Token);
            var done = await Task.WhenAny(exited, stopped, restart);
            await turn.CancelAsync();
            await Ignore(restart);
            if (done == exited) break;
            if (done == stopped)
            {
                _phase = "Stopping";
                Metrics.Phase(_phase);
                NotReady();
                _log.Event("stop", "SIGTERM: draining ScyllaDB, then stopping it");
                await child.StopAsync(_loopback, _api, TimeSpan.FromMilliseconds(_config.StopTimeoutMs), _log.Info);
                break;
            }
            // The rolling restart: this node holds the token and every other node is Up Normal. Drain, stop, start again
            // on the data with the new inputs. A crash of this agent in between leaves the token with this slot (kept by
            // a majority), so no other node stops until this one is back Up Normal.
            _phase = "Restarting";
            Metrics.Phase(_phase);
            NotReady(); // at once, not at the next look: peers and the actor must not take this node for Up Normal now
            _log.Event("restart", "rolling restart: this node holds the restart token; draining ScyllaDB, then stopping it");
            await child.StopAsync(_loopback, _api, TimeSpan.FromMilliseconds(_config.StopTimeoutMs), _log.Info);
            if (stop.IsCancellationRequested) break;
            try
            {
                plan = await RestartPlanAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            child = StartScylla(plan);
            Metrics.Restarted();
        }
        await actorStop.CancelAsync();
        await Task.WhenAll(Ignore(actor), Ignore(monitor), Ignore(watcher));
        var code = child.ExitCode;
        if (!hasData && _hostId is null && !stop.IsCancellationRequested)
        {
            // The first boot never completed (refused, or crashed while joining): clear what ScyllaDB left, so the next
            // start is an empty volume again and asks for a fresh instruction, instead of restarting a half-joined node.
            ClearScyllaData();
            _log.Event("boot-failed", $"ScyllaDB exited with {code} before it became a member: cleared its files; the next start decides again");
        }
        _log.Event("exit", $"ScyllaDB exited with {code}");
        return code;
    }

    /// <summary>Writes the effective configuration from today's agent.json and inputs, and starts ScyllaDB with it.</summary>
    private ScyllaChild StartScylla(BootPlan plan)
    {
        var config = _config;
        var inputs = InputFingerprint.Of(config);
        var written = EffectiveConfig.Write(config, plan);
        _log.Event("boot", $"starting ScyllaDB: {plan.Why}", new { plan.Seeds, plan.ReplaceHostId, plan.IgnoreDeadHostIds, config = written, inputs });
        var child = ScyllaChild.Start(config, plan);
        NotReady();
        lock (_inputsGate)
        {
            _appliedInputs = inputs;
            _restartPending = false;
        }
        Metrics.RestartPending(false);
        _phase = "Running";
        Metrics.Phase(_phase);
        return child;
    }

    private readonly Lock _inputsGate = new();

    private readonly Lock _readyGate = new();

    private void NotReady()
    {
        lock (_readyGate)
        {
            _childGeneration++;
            _ready = false;
        }
        Metrics.Ready(false);
    }

    /// <summary>
    /// The watcher saw inputs (stable over two looks) that differ from what ScyllaDB started with, or the same again.
    /// Before ScyllaDB first starts there is nothing to restart: it will start with whatever is there then.
    /// </summary>
    public void InputsSeen(string fingerprint)
    {
        bool pending;
        lock (_inputsGate)
        {
            if (_appliedInputs is null) return;
            pending = fingerprint != _appliedInputs;
            if (pending == _restartPending) return;
            _restartPending = pending;
        }
        Metrics.RestartPending(pending);
        _log.Event("inputs", pending
            ? "the node's inputs changed since ScyllaDB started: waiting for the restart token"
            : "the node's inputs are back to what ScyllaDB started with: no restart needed", new { fingerprint });
    }

    /// <summary>A reloaded agent.json takes effect (what may change at once; see <see cref="AgentConfigReload"/>).</summary>
    public void Reconfigure(AgentConfig next)
    {
        var change = AgentConfigReload.Apply(_config, next);
        _config = change.Effective;
        _log.Event("config-reload", change.Held.Count == 0
                ? "agent.json changed: reloaded"
                : $"agent.json changed: reloaded; held until the agent restarts: {string.Join(", ", change.Held)}",
            new { slots = change.Effective.Slots.Select(s => s.Slot), retired = change.Effective.Retired.Select(r => r.Slot), held = change.Held });
    }

    /// <summary>Returns when this node may restart now: a restart is pending, it holds the token, every other node is Up Normal.</summary>
    private async Task WaitForRestartTurnAsync(CancellationToken ct)
    {
        string? said = null;
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(_config.PollIntervalMs), ct);
            if (!_restartPending) continue;
            var config = _config;
            string? why;
            try
            {
                var read = await RestartToken!.ReadAsync(ct);
                var token = read is { Committed: true } ? read.Newest : null; // never act on a half-written grant
                var reports = await Hooks!.ReportsAsync(ct);
                why = RollingRestartRules.WhyNotStop(config.Slot, _restartPending, _ready, token, config.Slots, reports);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                why = "could not ask the other agents: " + e.Message;
            }
            if (why is null) return;
            if (why != said) _log.Event("restart-wait", why);
            said = why;
        }
    }

    private static async Task Ignore(Task t)
    {
        try
        {
            await t;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>ScyllaDB's own files on the volume (anything but the agent's): a node that has data restarts on it.</summary>
    private bool HasScyllaData() => Directory.EnumerateFileSystemEntries(_config.DataDirectory).Any(p => !IsAgentFile(p));

    private static bool IsAgentFile(string path) =>
        Path.GetFileName(path) is VolumeLock.FileName or VolumeLock.FileName + ".holder" or VolumeIdentity.FileName
                or "agent-promise.json" or "agent-intent.json" or "agent-restart.json"
            || Path.GetFileName(path).EndsWith(".tmp", StringComparison.Ordinal);

    private void ClearScyllaData()
    {
        foreach (var p in Directory.EnumerateFileSystemEntries(_config.DataDirectory).Where(p => !IsAgentFile(p)))
        {
            if (Directory.Exists(p)) Directory.Delete(p, recursive: true);
            else File.Delete(p);
        }
    }

    /// <summary>A volume with data restarts on it. Seeds: ready peers; with none ready (a whole-cluster restart), the other slots.</summary>
    private async Task<BootPlan> RestartPlanAsync(CancellationToken ct)
    {
        var ready = await ReadyPeersAsync(ct);
        var seeds = ready.Count > 0 ? ready : _peers.Others.Select(s => s.Address).Order(StringComparer.Ordinal).ToList();
        if (seeds.Count == 0) seeds = [_config.Self.Address]; // a one-node cluster restarting
        return new BootPlan(_hostId is null ? "the volume has data: restarting on it" : $"the volume has data of host {_hostId}: restarting on it",
            seeds);
    }

    private async Task<List<string>> ReadyPeersAsync(CancellationToken ct)
    {
        var reports = await Task.WhenAll(_peers.Others.Select(s => _peers.GetAsync<InstanceReport>(s, "v1/instance", ct)));
        return reports.OfType<InstanceReport>().Where(r => r.Cluster == _config.Cluster && r.Ready)
            .Select(r => _config.Slots.First(s => s.Slot == r.Slot).Address).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// An empty volume waits for the actor's instruction (join or replace, decided by the decision core), except the
    /// founder of a brand-new cluster: the founder slot, while the stack says the cluster is new, once a majority of the
    /// slots' agents answered and none of them has a node or data. Never found a second cluster.
    /// </summary>
    private async Task<BootPlan> EmptyVolumePlanAsync(CancellationToken ct)
    {
        _phase = "AwaitingBoot";
        Metrics.Phase(_phase);
        _log.Event("empty", "the data volume is empty: waiting for a boot instruction" +
            (_config.NewCluster && _config.Slot == _config.FounderSlot ? " (or to found the new cluster)" : ""));
        var mayFound = _config.NewCluster && _config.Slot == _config.FounderSlot;
        while (true)
        {
            if (_instruction.Task.IsCompleted) return await _instruction.Task;
            if (mayFound && Hooks is not null)
            {
                var reports = await Hooks.ReportsAsync(ct);
                var existing = reports.FirstOrDefault(r => r.Slot != _config.Slot && (r.HostId is not null || r.Phase == InstancePhase.Running));
                if (existing is not null)
                {
                    _log.Event("no-found", $"slot {existing.Slot} answers with an existing node: not founding; waiting for an instruction");
                    mayFound = false;
                }
                else if (2 * reports.Count > _config.Slots.Count)
                {
                    return new BootPlan($"founding the new cluster: {reports.Count} of {_config.Slots.Count} agents answered, all empty",
                        [_config.Self.Address]);
                }
            }
            await Task.WhenAny(_instruction.Task, Task.Delay(TimeSpan.FromMilliseconds(_config.PollIntervalMs / 2.0), ct));
            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>A boot instruction for this slot, from the actor (with its term) or the operator's `up` (without).</summary>
    public BootResponse AcceptBoot(BootInstruction instruction, long? term)
    {
        if (instruction.Slot != _config.Slot) return new BootResponse(false, $"this agent serves slot {_config.Slot}, not {instruction.Slot}");
        if (term is { } t && _promises is { } p && t < p.PromisedTerm)
            return new BootResponse(false, $"stale actor: term {t} < promised term {p.PromisedTerm}");
        if (_phase != "AwaitingBoot")
            return _instruction.Task.IsCompleted
                ? new BootResponse(true) // idempotent: the instruction was taken already
                : new BootResponse(false, $"slot {_config.Slot} is not waiting for a boot instruction ({_phase})");
        if (instruction.Seeds.Count == 0 || instruction.Seeds.Contains(_config.Self.Address))
            return new BootResponse(false, "seeds must be ready peers, never the booting node itself");
        var plan = instruction.Mode == BootMode.Replace
            ? new BootPlan($"replacing dead host {instruction.ReplaceHostId} (instruction of term {term?.ToString() ?? "none: operator"})",
                instruction.Seeds, instruction.ReplaceHostId ?? throw new ArgumentException("replace without a host id"), instruction.IgnoreDeadHostIds)
            : new BootPlan($"joining as a new node (instruction of term {term?.ToString() ?? "none: operator"})", instruction.Seeds);
        _instruction.TrySetResult(plan);
        return new BootResponse(true);
    }

    /// <summary>Watches the local node on loopback (<see cref="NodeReadiness"/>). Records the host ID once a member.</summary>
    private async Task MonitorAsync(CancellationToken ct)
    {
        var rest = new ScyllaRestClient(_loopback, _api, _clock, new ScyllaRestOptions { GetRetries = 0, RequestTimeout = TimeSpan.FromSeconds(3) });
        while (!ct.IsCancellationRequested)
        {
            int generation;
            lock (_readyGate) generation = _childGeneration;
            try
            {
                var (ready, hostId) = await NodeReadiness.CheckAsync(rest, ct);
                if (ready && _hostId != hostId)
                {
                    new VolumeIdentity(_config.Cluster, _config.Slot, hostId).Write(_config.DataDirectory);
                    _log.Event("member", $"the node is Up Normal as host {hostId}" + (_hostId is null ? "" : $" (was {_hostId})"));
                    _hostId = hostId;
                }
                // An answer that began before a restart is about the old process: it must not say the new one is ready.
                lock (_readyGate)
                    if (generation == _childGeneration) _ready = ready && _phase == "Running";
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or ScyllaRestException)
            {
                _ready = false;
            }
            Metrics.Ready(_ready);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, _config.PollIntervalMs)), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
