using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>A journal held in memory, shared between reconciler instances by reference: the tests' stand-in for the file and agent journals.</summary>
public sealed class InMemoryIntentJournal : IIntentJournal
{
    private TopologyIntent? _intent;

    public Task<TopologyIntent?> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(Volatile.Read(ref _intent));

    public Task SaveAsync(TopologyIntent intent, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _intent, intent);
        return Task.CompletedTask;
    }

    public Task ClearAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _intent, null);
        return Task.CompletedTask;
    }
}
