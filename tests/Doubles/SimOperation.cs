namespace ScyllaApocryph.Tests.Doubles;

/// <summary>The one topology operation the simulated cluster runs at a time, accepted at <see cref="StartedAt"/>, finishing at <see cref="EndsAt"/>.</summary>
public sealed record SimOperation(string Kind, SimNode Node, DateTimeOffset StartedAt, DateTimeOffset EndsAt);
