namespace ScyllaApocryph.Components.Membership;

/// <summary>Durable record of the one topology operation in flight (there is never more than one).</summary>
public interface IIntentJournal
{
    Task<TopologyIntent?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Writes (or overwrites) the pending intent; must be durable when it returns.</summary>
    Task SaveAsync(TopologyIntent intent, CancellationToken cancellationToken);

    Task ClearAsync(CancellationToken cancellationToken);
}
