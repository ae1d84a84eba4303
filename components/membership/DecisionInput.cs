namespace ScyllaApocryph.Components.Membership;

/// <summary>Everything the pure decider looks at. Time is passed in; nothing here performs I/O.</summary>
/// <param name="Preview">For <c>preview</c>, which observes once: a down node that is not dead yet gets the action it will
/// get once the grace period is met, worded as such ("once down ≥ 40s ..."). Never executed.</param>
public sealed record DecisionInput(
    MembershipSpec Spec,
    ClusterView View,
    IReadOnlyList<InstanceView> Instances,
    ObservationHistory History,
    TopologyIntent? Intent,
    DateTimeOffset Now,
    bool Preview = false,
    IReadOnlyCollection<string>? Banned = null);
