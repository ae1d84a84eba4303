using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Agent;

/// <summary>What the actor does with the restart token this round.</summary>
public enum RestartTokenStep
{
    /// <summary>No token is held and nobody waits for one.</summary>
    Idle,

    /// <summary>Somebody waits, but not every node is Up Normal (or the view is not settled): the token stays free.</summary>
    Wait,

    /// <summary>The holder has not restarted yet, or is not back Up Normal: it keeps the token.</summary>
    Keep,

    /// <summary>Give the token to <see cref="RestartTokenDecision.Slot"/>.</summary>
    Grant,

    /// <summary>The holder is back Up Normal with its new inputs (or its slot is gone): free the token.</summary>
    Release,
}

/// <param name="Reason">A stable, human reason (logged once per change).</param>
public sealed record RestartTokenDecision(RestartTokenStep Step, string? Slot, string Reason);

/// <summary>
/// The rules of the rolling restart, pure: one token for the whole cluster, so at most one node restarts at a time;
/// granted only while every node is Up Normal, in every agent's own report and in the actor's merged view (all
/// observers agreeing); kept by its holder until that node is Up Normal again with its new inputs, even when the holder
/// or the actor crashes meanwhile (the token is replicated to a majority). The holder checks again right before it
/// stops: every other node must still be Up Normal in its agent's report.
/// </summary>
public static class RollingRestartRules
{
    /// <summary>The actor's step. <paramref name="reports"/>: the agents that answered (this one included).</summary>
    public static RestartTokenDecision ForActor(IReadOnlyList<AgentSlot> slots, IReadOnlyList<InstanceReport> reports, ClusterView? view,
        bool converged, string? holder)
    {
        if (holder is not null)
        {
            if (slots.All(s => s.Slot != holder)) return new(RestartTokenStep.Release, holder, $"slot {holder} is no longer in the stack");
            var report = reports.FirstOrDefault(r => r.Slot == holder);
            var address = slots.First(s => s.Slot == holder).Address;
            if (report is { Ready: true, RestartPending: false } && view?.At(address) is { IsUpNormal: true })
                return new(RestartTokenStep.Release, holder, $"slot {holder} restarted and is Up Normal again");
            return new(RestartTokenStep.Keep, holder, report is null
                ? $"slot {holder} holds the restart token and its agent does not answer"
                : $"slot {holder} holds the restart token and is restarting");
        }
        var waiting = slots.Where(s => reports.Any(r => r.Slot == s.Slot && r.RestartPending))
            .OrderBy(s => s.Datacenter, StringComparer.Ordinal).ThenBy(s => s.Ordinal).ThenBy(s => s.Slot, StringComparer.Ordinal).ToList();
        if (waiting.Count == 0) return new(RestartTokenStep.Idle, null, "no node waits for a restart");
        if (EveryNodeUpNormal(slots, reports, view, except: null) is { } why) return new(RestartTokenStep.Wait, null, why);
        if (!converged) return new(RestartTokenStep.Wait, null, "membership has not converged");
        return new(RestartTokenStep.Grant, waiting[0].Slot, $"every node is Up Normal: slot {waiting[0].Slot} may restart");
    }

    /// <summary>The holder's last check before it stops its ScyllaDB; null when it may, else why not.
    /// <paramref name="token"/>: the token as a majority holds it (committed), or null.</summary>
    public static string? WhyNotStop(string self, bool pending, bool selfReady, RestartGrant? token, IReadOnlyList<AgentSlot> slots,
        IReadOnlyList<InstanceReport> reports)
    {
        if (!pending) return "no restart pending";
        if (token is null) return "the restart token is not settled at a majority of agents";
        if (token.Slot != self) return token.Slot is null ? "waiting for the restart token" : $"slot {token.Slot} holds the restart token";
        if (!selfReady) return "this node is not Up Normal: it restarts when it is";
        return EveryNodeUpNormal(slots, reports, view: null, except: self);
    }

    /// <summary>Null when every slot's agent reports its node Up Normal (and the view, if given, agrees everywhere).</summary>
    private static string? EveryNodeUpNormal(IReadOnlyList<AgentSlot> slots, IReadOnlyList<InstanceReport> reports, ClusterView? view,
        string? except)
    {
        foreach (var s in slots.Where(s => s.Slot != except))
        {
            var report = reports.FirstOrDefault(r => r.Slot == s.Slot);
            if (report is null) return $"slot {s.Slot}'s agent does not answer";
            if (report.Phase != InstancePhase.Running || !report.Ready) return $"slot {s.Slot} is not Up Normal";
        }
        if (view is null) return except is null ? "no view of the cluster" : null;
        if (view.Disagreements.Count > 0) return "observers disagree: " + string.Join("; ", view.Disagreements);
        if (view.Nodes.FirstOrDefault(n => !n.IsUpNormal || n.Disputed) is { } down)
            return $"{down.Address} is {down.Status} {down.State}{(down.Disputed ? " (disputed)" : "")}";
        if (slots.FirstOrDefault(s => view.At(s.Address) is null) is { } unseen) return $"slot {unseen.Slot} is not in the view";
        return null;
    }
}
