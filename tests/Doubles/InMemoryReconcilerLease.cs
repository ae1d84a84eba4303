using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Tests.Doubles;

/// <summary>Lease shared by reference within one process; expiry is judged by the injected clock.</summary>
public sealed class InMemoryReconcilerLease(TimeProvider clock) : IReconcilerLease
{
    private readonly Lock _gate = new();
    private string? _holder;
    private DateTimeOffset _expires;

    public Task<bool> TryAcquireAsync(string holder, TimeSpan ttl, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (_holder is not null && _holder != holder && _expires > now) return Task.FromResult(false);
            (_holder, _expires) = (holder, now + ttl);
            return Task.FromResult(true);
        }
    }

    public Task ReleaseAsync(string holder, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_holder == holder) _holder = null;
        }
        return Task.CompletedTask;
    }

    public Task<string?> HolderAsync(CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_holder is not null && _expires > clock.GetUtcNow() ? _holder : null);
    }
}
