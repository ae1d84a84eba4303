namespace ScyllaApocryph.Tests.Doubles;

/// <summary>The one topology operation the simulated cluster runs at a time, finishing at <see cref="EndsAt"/>.</summary>
public sealed record SimOperation(string Kind, SimNode Node, DateTimeOffset EndsAt);
