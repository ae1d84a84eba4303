using Prometheus;

namespace ScyllaApocryph.Agent;

/// <summary>The agent's Prometheus metrics (served at /metrics), in their own registry.</summary>
public sealed class AgentMetrics
{
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    private readonly Gauge _ready, _actor, _disagreements, _lastDecision, _peerSeen, _needed, _phase, _restartPending;
    private readonly Counter _actions, _restarts;
    private readonly Dictionary<string, DateTimeOffset> _lastSeen = new();

    public AgentMetrics()
    {
        var f = Metrics.WithCustomRegistry(Registry);
        _ready = f.CreateGauge("scylla_agent_node_ready", "1 when the local node is Up Normal and serves CQL");
        _phase = f.CreateGauge("scylla_agent_instance_phase", "1 for this instance's phase", "phase");
        _actor = f.CreateGauge("scylla_agent_is_actor", "1 while this agent holds the actor lease");
        _disagreements = f.CreateGauge("scylla_agent_view_disagreements", "observers' disagreements in the last view");
        _lastDecision = f.CreateGauge("scylla_agent_last_decision", "1 for the kind of the last decision's first action", "kind");
        _peerSeen = f.CreateGauge("scylla_agent_peer_last_seen_seconds", "seconds since each peer agent last answered", "slot");
        _needed = f.CreateGauge("scylla_agent_instance_needed", "1 while a slot needs a new instance and none was asked for", "slot");
        _actions = f.CreateCounter("scylla_agent_actions_total", "topology actions this agent took", "kind");
        _restartPending = f.CreateGauge("scylla_agent_restart_pending", "1 while the node's inputs changed and it waits for the restart token");
        _restarts = f.CreateCounter("scylla_agent_rolling_restarts_total", "rolling restarts of the local ScyllaDB");
        Registry.AddBeforeCollectCallback(() =>
        {
            lock (_lastSeen)
                foreach (var (slot, at) in _lastSeen) _peerSeen.WithLabels(slot).Set((DateTimeOffset.UtcNow - at).TotalSeconds);
        });
    }

    public void Ready(bool ready) => _ready.Set(ready ? 1 : 0);

    public void Phase(string phase)
    {
        foreach (var p in new[] { "Locking", "AwaitingBoot", "Running", "Restarting", "Stopping" }) _phase.WithLabels(p).Set(p == phase ? 1 : 0);
    }

    public void Actor(bool actor) => _actor.Set(actor ? 1 : 0);

    public void Disagreements(int n) => _disagreements.Set(n);

    public void Decision(string kind)
    {
        foreach (var k in new[] { "wait", "join", "replace", "remove", "decommission", "refuse", "converged" }) _lastDecision.WithLabels(k).Set(k == kind ? 1 : 0);
    }

    public void Action(string kind) => _actions.WithLabels(kind).Inc();

    public void PeerSeen(string slot, DateTimeOffset at)
    {
        lock (_lastSeen) _lastSeen[slot] = at;
    }

    public void RestartPending(bool pending) => _restartPending.Set(pending ? 1 : 0);

    public void Restarted() => _restarts.Inc();

    public void InstanceNeeded(string slot, bool needed) => _needed.WithLabels(slot).Set(needed ? 1 : 0);
}
