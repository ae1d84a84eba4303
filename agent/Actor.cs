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
    private readonly HashSet<string> _asked = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken ct)
    {
        var config = agent.Config;
        var spec = MembershipSpec.Create(
            config.Slots.Select(s => new SlotSpec(s.Slot, s.Datacenter, s.Ordinal, s.Address, s.ZeroToken)).ToList(),
            config.ReplicationFactors, TimeSpan.FromMilliseconds(config.FailureDetectorTimeoutMs)) with { Retired = config.Retired };
        var poll = TimeSpan.FromMilliseconds(config.PollIntervalMs);
        var observer = new ClusterObserver(agent.Peers.Create(Timeout.InfiniteTimeSpan), new PeerResolver(config, agent.ScyllaApi),
            TimeProvider.System, new ScyllaRestOptions { GetRetries = 0, RequestTimeout = TimeSpan.FromMilliseconds(config.PeerTimeoutMs) },
            new DnsSlotAddressResolver()); // slots named by DNS (Kubernetes): ScyllaDB lists IPs
        var lease = agent.Lease!;
        var journal = new MajorityIntentJournal(config, agent.Peers, agent.Promises, lease);
        var reconciler = new MembershipReconciler(spec, observer, agent.Hooks!, lease, journal, TimeProvider.System,
            new ReconcilerOptions(config.Slot) { LeaseTtl = TimeSpan.FromMilliseconds(config.LeaseTtlMs), PollInterval = poll });
        // Start staggered by slot ordinal, so the agents of a fresh cluster do not all campaign in the same instant.
        var index = config.Slots.ToList().FindIndex(s => s.Slot == config.Slot);
        await Task.Delay(poll * index / Math.Max(1, config.Slots.Count), ct);
        while (!ct.IsCancellationRequested)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                var round = await reconciler.ReconcileOnceAsync(ct);
                agent.Metrics.Actor(round.Leader);
                if (round.Leader) await ReportAsync(round, reconciler, observer, spec, ct);
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
            var left = poll - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (left > TimeSpan.Zero) await Task.Delay(left, ct);
        }
    }

    private async Task ReportAsync(ReconcileRound round, MembershipReconciler reconciler, ClusterObserver observer, MembershipSpec spec,
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
        if (round.View is not { } view) return;

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
    }
}

/// <summary>The local node's REST API on loopback; another node's view through its agent (which relays read-only calls).</summary>
public sealed class PeerResolver(AgentConfig config, Uri localApi) : IScyllaEndpointResolver
{
    public Task<Uri?> ResolveAsync(string address, CancellationToken cancellationToken)
    {
        if (address == config.Self.Address) return Task.FromResult<Uri?>(localApi);
        var slot = config.Slots.FirstOrDefault(s => s.Address == address);
        return Task.FromResult(slot is null ? null : new Uri(slot.AgentUrl.TrimEnd('/') + "/"));
    }
}
