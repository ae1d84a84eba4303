namespace ScyllaApocryph.Components.Membership;

/// <summary>One slot's instance as the autoscaler side reports it.</summary>
public sealed record InstanceView(string Slot, InstancePhase Phase, string? InstanceId = null);
