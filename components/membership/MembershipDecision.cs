namespace ScyllaApocryph.Components.Membership;

/// <summary>
/// The decider's answer: actions in the order they should happen (at most the first topology change is executed
/// per round; the rest show what comes next), whether the cluster matches the stack, and what became of the intent.
/// </summary>
public sealed record MembershipDecision(IReadOnlyList<MembershipAction> Actions, bool Converged, IntentOutcome Intent)
{
    public MembershipAction? NextTopologyChange => Actions.FirstOrDefault(a => a.IsTopologyChange);

    public MembershipAction? Refusal => Actions.FirstOrDefault(a => a.Kind == ActionKind.Refuse);
}

/// <summary>What the cluster says about a recorded intent.</summary>
public enum IntentOutcome
{
    /// <summary>There was no intent.</summary>
    None,

    /// <summary>Still in flight (or cannot be judged yet): keep it.</summary>
    Pending,

    /// <summary>Its effect is visible (or it can no longer happen): clear it.</summary>
    Settled,

    /// <summary>It never reached the cluster, and the full analysis (every gate) decided the same operation again: it is re-driven.</summary>
    Redrive,
}
