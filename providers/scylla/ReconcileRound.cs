using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Providers.Scylla;

/// <summary>What one reconcile round saw, decided and did.</summary>
/// <param name="Leader">False when another reconciler holds the lease: nothing was observed or done.</param>
/// <param name="Executed">The topology action issued this round, if any.</param>
/// <param name="Error">Why issuing the action failed in transport (unreachable, timed out), or that the lease was lost meanwhile;
/// the intent stays and is judged next round.</param>
/// <param name="LeaseLost">The lease could not be renewed while the action ran: this reconciler must stop.</param>
public sealed record ReconcileRound(bool Leader, ClusterView? View, MembershipDecision? Decision, MembershipAction? Executed, string? Error = null,
    bool LeaseLost = false)
{
    public static ReconcileRound NotLeader(string? holder) =>
        new(false, null, new MembershipDecision([new MembershipAction(ActionKind.Wait, $"another reconciler ({holder ?? "unknown"}) holds the lease")],
            false, IntentOutcome.None), null);
}
