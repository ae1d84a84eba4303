using ScyllaApocryph.Components.Membership;
using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Providers.Scylla;

namespace ScyllaApocryph.Agent;

/// <summary>
/// The reconcile loop every agent runs; only the holder of the majority lease gets past the first step of a round.
/// It is the operator's reconciler (providers/scylla) with the agents' election, replicated intent journal and fleet
/// hooks plugged in: the same decision core, gates and write-ahead intent as `up`.
/// </summary>
public sealed class Actor(NodeAgent agent, JsonLog log)
{
    private string? _lastDecision;
    private string? _lastRestartDecision;
    private readonly HashSet<string> _asked = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken ct)
    {
        var first = agent.Config;
        var lease = agent.Lease!;
        var journal = new MajorityIntentJournal(() => agent.Config, agent.Peers, agent.Promises, lease);
        var observer = new ClusterObserver(agent.Peers.Create(Timeout.InfiniteTimeSpan), new PeerResolver(() => agent.Config, agent.ScyllaApi),
            TimeProvider.System, new ScyllaRestOptions { GetRetries = 0, RequestTimeout = TimeSpan.FromMilliseconds(first.PeerTimeoutMs) },
            new DnsSlotAddressResolver()); // slots named by DNS (Kubernetes): ScyllaDB lists IPs
        // Start staggered by slot ordinal, so the agents of a fresh cluster do not all campaign in the same instant.
        var index = first.Slots.ToList().FindIndex(s => s.Slot == first.Slot);
        await Task.Delay(TimeSpan.FromMilliseconds(first.PollIntervalMs) * index / Math.Max(1, first.Slots.Count), ct);
        AgentConfig? built = null;
        MembershipSpec spec = null!;
        MembershipReconciler reconciler = null!;
        while (!ct.IsCancellationRequested)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var config = agent.Config;
            if (!ReferenceEquals(config, built))
            {
                // A reloaded agent.json (a deleted slot, new replication factors): the next round decides with it. The
                // reconciler's memory (how long a node has been down, bans it saw) starts afresh: that only waits longer.
                spec = MembershipSpec.Create(
                    config.Slots.Select(s => new SlotSpec(s.Slot, s.Datacenter, s.Ordinal, s.Address, s.ZeroToken)).ToList(),
                    config.ReplicationFactors, TimeSpan.FromMilliseconds(config.FailureDetectorTimeoutMs)) with { Retired = config.Retired };
                reconciler = new MembershipReconciler(spec, observer, agent.Hooks!, lease, journal, TimeProvider.System,
                    new ReconcilerOptions(config.Slot)
                    {
                        LeaseTtl = TimeSpan.FromMilliseconds(config.LeaseTtlMs), PollInterval = TimeSpan.FromMilliseconds(config.PollIntervalMs),
                    });
                if (built is not null) log.Event("actor-reload", $"deciding with the reloaded configuration: {config.Slots.Count} slots, {config.Retired.Count} retired");
                built = config;
            }
            try
            {
                var round = await reconciler.ReconcileOnceAsync(ct);
                agent.Metrics.Actor(round.Leader);
                if (round.Leader)
                {
                    var reports = await ReportAsync(round, reconciler, observer, spec, ct);
                    if (reports is not null) await TendRestartTokenAsync(round, reports, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.Event("actor-error", e.Message);
            }
            // Rounds start every poll interval (not one interval after the last round ended): a node seen down, and then
            // dead after the grace period, is noticed at most one interval late, however long a round took.
            var left = TimeSpan.FromMilliseconds(config.PollIntervalMs) - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (left > TimeSpan.Zero) await Task.Delay(left, ct);
        }
    }

    /// <summary>The rolling restart's coordination, after a round in which this agent acted: grant, keep or free the token.</summary>
    private async Task TendRestartTokenAsync(ReconcileRound round, IReadOnlyList<InstanceReport> reports, CancellationToken ct)
    {
        var config = agent.Config;
        var read = await agent.RestartToken!.ReadAsync(ct);
        if (read is null) return; // no majority answered: nothing can be granted or freed safely
        var token = read.Newest;
        if (!read.Committed)
        {
            // A grant or release an earlier actor got to a minority only: adopt it (write it again with this term), so it
            // is either completed or, next round, replaced by what the rules say; never acted on half-written.
            await agent.RestartToken.WriteAsync(token.Slot, agent.Lease!.Term, ct);
            log.Event("restart-token", $"completed the restart token of term {token.Term} ({token.Slot ?? "free"}) that only a minority held");
            return;
        }
        var decision = RollingRestartRules.ForActor(config.Slots, reports, round.View, round.Decision?.Converged == true, token.Slot);
        if (decision.Reason != _lastRestartDecision)
        {
            log.Event("restart-token", decision.Reason, new { step = decision.Step.ToString(), decision.Slot, holder = token.Slot, tokenTerm = token.Term });
            _lastRestartDecision = decision.Reason;
        }
        var term = agent.Lease!.Term;
        if (decision.Step == RestartTokenStep.Grant) await agent.RestartToken.WriteAsync(decision.Slot, term, ct);
        else if (decision.Step == RestartTokenStep.Release) await agent.RestartToken.WriteAsync(null, term, ct);
    }

    /// <summary>Logs and publishes the round; returns the agents' reports (null when the round had no view).</summary>
    private async Task<IReadOnlyList<InstanceReport>?> ReportAsync(ReconcileRound round, MembershipReconciler reconciler, ClusterObserver observer,
        MembershipSpec spec,
        CancellationToken ct)
    {
        var decision = round.Decision!;
        agent.Metrics.Disagreements(round.View?.Disagreements.Count ?? 0);
        var first = decision.Actions.FirstOrDefault();
        agent.Metrics.Decision(decision.Converged ? "converged" : first?.Kind.ToString().ToLowerInvariant() ?? "wait");
        var summary = string.Join("; ", decision.Actions.Select(a => a.ToString()));
        if (summary != _lastDecision || round.Executed is not null || round.Error is not null)
        {
            log.Event("decision", decision.Converged ? "converged" : summary, new
            {
                term = agent.Lease!.Term,
                converged = decision.Converged,
                intent = decision.Intent.ToString(),
                actions = decision.Actions.Select(a => new { kind = a.Kind.ToString(), a.Reason, a.Slot, a.Address, a.HostId }),
                executed = round.Executed is { } x ? new { kind = x.Kind.ToString(), x.Slot, x.Address, x.HostId } : null,
                error = round.Error,
                disagreements = round.View?.Disagreements,
            });
            _lastDecision = summary;
        }
        if (round.Executed is { } done) agent.Metrics.Action(done.Kind.ToString().ToLowerInvariant());
        if (round.View is not { } view) return null;

        // A dead node whose instance is gone needs a new instance: ask once per absence (TriggerNode), or report it.
        var reports = await agent.Hooks!.ReportsAsync(ct);
        // Each agent names its slot and the host ID on its volume: the next poll ties that host ID's IP to the slot.
        foreach (var r in reports)
            if (r.HostId is { } id && agent.Config.Slots.FirstOrDefault(s => s.Slot == r.Slot) is { } slot) observer.Remember(slot.Address, id);
        var missing = FleetHooks.Missing(agent.Config, view, reports, reconciler.History, spec.GracePeriod).ToHashSet();
        foreach (var slot in missing.Where(s => _asked.Add(s)))
        {
            try
            {
                await agent.Hooks.ReportInstanceFailedAsync(new InstanceFailedRequest(slot, "", "its node is dead and no instance answers"), ct);
            }
            catch (Exception e) when (e is HttpRequestException or ConnectException or TaskCanceledException)
            {
                _asked.Remove(slot);
                log.Event("autoscaler-error", $"asking for a new instance of slot {slot} failed: {e.Message}");
            }
        }
        foreach (var back in _asked.Where(s => !missing.Contains(s)).ToList())
        {
            _asked.Remove(back);
            agent.Metrics.InstanceNeeded(back, false);
        }
        return reports;
    }
}

/// <summary>The local node's REST API on loopback; another node's view through its agent (which relays read-only calls).</summary>
public sealed class PeerResolver(Func<AgentConfig> current, Uri localApi) : IScyllaEndpointResolver
{
    public Task<Uri?> ResolveAsync(string address, CancellationToken cancellationToken)
    {
        var config = current();
        if (address == config.Self.Address) return Task.FromResult<Uri?>(localApi);
        var slot = config.Slots.FirstOrDefault(s => s.Address == address);
        return Task.FromResult(slot is null ? null : new Uri(slot.AgentUrl.TrimEnd('/') + "/"));
    }
}
