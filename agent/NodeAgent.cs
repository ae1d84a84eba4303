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
    private readonly AgentConfig _config;
    private readonly TimeProvider _clock = TimeProvider.System;
    private readonly JsonLog _log;
    private readonly PeerClient _peers;
    private readonly HttpClient _loopback = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Uri _api;
    private readonly TaskCompletionSource<BootPlan> _instruction = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string _phase = "Locking";
    private volatile bool _ready;
    private string? _hostId;
    private PromiseStore? _promises;

    public AgentMetrics Metrics { get; } = new();

    public string InstanceId { get; }

    public NodeAgent(AgentConfig config)
    {
        _config = config;
        _log = new JsonLog(config.Slot);
        _peers = new PeerClient(config);
        _api = new Uri($"http://127.0.0.1:{config.ScyllaApiPort}/");
        InstanceId = config.InstanceId ?? $"{Environment.MachineName}-{Environment.ProcessId}";
    }

    public AgentConfig Config => _config;

    public PeerClient Peers => _peers;

    public Uri ScyllaApi => _api;

    public PromiseStore Promises => _promises ?? throw new InvalidOperationException("not started");

    public MajorityLease? Lease { get; private set; }

    public FleetHooks? Hooks { get; private set; }

    public bool Ready => _ready;

    public InstanceReport Report() => new(_config.Cluster, _config.Slot, InstanceId,
        _phase switch { "AwaitingBoot" => InstancePhase.AwaitingBoot, "Running" => InstancePhase.Running, _ => InstancePhase.Absent },
        _hostId, _ready);

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
        Lease = new MajorityLease(_config, _peers, _promises, _clock, _log.Info);
        _peers.Term = () => Lease.Term;
        Hooks = new FleetHooks(_config, _peers, Report, () => Lease.Term, AcceptBoot, Metrics, _log.Info);
        await using var api = await AgentApi.StartAsync(this, _log);
        using var actorStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var actor = Task.Run(() => new Actor(this, _log).RunAsync(actorStop.Token), CancellationToken.None);
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
            return 0;
        }
        var written = EffectiveConfig.Write(_config, plan);
        _log.Event("boot", $"starting ScyllaDB: {plan.Why}", new { plan.Seeds, plan.ReplaceHostId, plan.IgnoreDeadHostIds, config = written });
        var child = ScyllaChild.Start(_config, plan);
        _phase = "Running";
        Metrics.Phase(_phase);
        var monitor = Task.Run(() => MonitorAsync(actorStop.Token), CancellationToken.None);

        var exited = child.WaitAsync(CancellationToken.None);
        var stopped = Task.Delay(Timeout.Infinite, stop);
        if (await Task.WhenAny(exited, stopped) == stopped)
        {
            _phase = "Stopping";
            Metrics.Phase(_phase);
            _log.Event("stop", "SIGTERM: draining ScyllaDB, then stopping it");
            await child.StopAsync(_loopback, _api, TimeSpan.FromMilliseconds(_config.StopTimeoutMs), _log.Info);
        }
        await actorStop.CancelAsync();
        await Task.WhenAll(Ignore(actor), Ignore(monitor));
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
                or "agent-promise.json" or "agent-intent.json"
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
            try
            {
                var (ready, hostId) = await NodeReadiness.CheckAsync(rest, ct);
                if (ready && _hostId != hostId)
                {
                    new VolumeIdentity(_config.Cluster, _config.Slot, hostId).Write(_config.DataDirectory);
                    _log.Event("member", $"the node is Up Normal as host {hostId}" + (_hostId is null ? "" : $" (was {_hostId})"));
                    _hostId = hostId;
                }
                _ready = ready;
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
