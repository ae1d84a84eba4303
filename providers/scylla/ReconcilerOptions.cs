namespace ScyllaApocryph.Providers.Scylla;

/// <param name="Holder">This reconciler's name in the lease (unique per process).</param>
public sealed record ReconcilerOptions(string Holder)
{
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ConvergeTimeout { get; init; } = Components.Cluster.ClusterOperations.ConvergenceLimit;

    /// <summary>How many seeds a booting node is given (the first ready nodes by address).</summary>
    public int Seeds { get; init; } = 3;
}
