using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Providers.Scylla;

/// <summary>What one reconcile round saw, decided and did.</summary>
/// <param name="Leader">False when another reconciler holds the lease: nothing was observed or done.</param>
/// <param name="Executed">The topology action issued this round, if any.</param>
public sealed record ReconcileRound(bool Leader, ClusterView? View, MembershipDecision? Decision, MembershipAction? Executed)
{
    public static ReconcileRound NotLeader(string? holder) =>
        new(false, null, new MembershipDecision([new MembershipAction(ActionKind.Wait, $"another reconciler ({holder ?? "unknown"}) holds the lease")],
            false, IntentOutcome.None), null);
}
