namespace ScyllaApocryph.Providers.Scylla;

/// <summary>Timeouts and retry budget for the REST client. Retries apply to idempotent GETs only.</summary>
public sealed record ScyllaRestOptions
{
    public static readonly ScyllaRestOptions Default = new();

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Topology POSTs block until the operation ends on a real node, so they get a long timeout.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromMinutes(30);

    public int GetRetries { get; init; } = 2;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);
}
