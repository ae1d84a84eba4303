namespace ScyllaApocryph.Components.Membership;

/// <summary>Everything the pure decider looks at. Time is passed in; nothing here performs I/O.</summary>
public sealed record DecisionInput(
    MembershipSpec Spec,
    ClusterView View,
    IReadOnlyList<InstanceView> Instances,
    ObservationHistory History,
    TopologyIntent? Intent,
    DateTimeOffset Now);
