using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Agent;

/// <summary>
/// The actor election: a lease granted by a majority of the stack's slots' agents (this one included). A candidate
/// asks every voter for a promise in a term; with a majority it acts until <c>sent + ttl × 0.8</c> on its own clock
/// (voters count the ttl from when they received the request, later, so the candidate's view of its lease always ends
/// first, with room for clock-rate drift). Two majorities of one set always share a voter, and a voter promises one
/// candidate at a time, so two actors never hold the lease at once. The term is the fencing token: intents and boot
/// instructions carry it, and voters refuse a lower one than they promised.
/// </summary>
public sealed class MajorityLease(Func<AgentConfig> config, PeerClient peers, PromiseStore local, TimeProvider clock, Action<string> log)
    : IReconcilerLease
{
    private readonly Lock _gate = new();
    private long _maxSeenTerm = local.PromisedTerm;
    private long _term;
    private DateTimeOffset _validUntil = DateTimeOffset.MinValue;
    private string? _knownHolder;
    private DateTimeOffset _backoffUntil = DateTimeOffset.MinValue;

    /// <summary>The term of the lease this agent holds now, or 0.</summary>
    public long Term { get { lock (_gate) return _validUntil > clock.GetUtcNow() ? _term : 0; } }

    public bool Holding => Term != 0;

    public async Task<bool> TryAcquireAsync(string holder, TimeSpan ttl, CancellationToken cancellationToken)
    {
        long term;
        lock (_gate)
        {
            var holding = _validUntil > clock.GetUtcNow();
            // A candidate that lost waits one lease time before trying again: a hopeless campaign would only raise the
            // voters' terms under the actor's feet.
            if (!holding && clock.GetUtcNow() < _backoffUntil) return false;
            term = holding ? _term : Math.Max(_maxSeenTerm, local.PromisedTerm) + 1;
        }
        var sent = clock.GetUtcNow();
        var request = new VoteRequest(term, holder, (int)ttl.TotalMilliseconds);
        var replies = await Task.WhenAll(config().Slots.Select(s => s.Slot == config().Slot
            ? Task.FromResult<VoteReply?>(local.Vote(request))
            : peers.SendAsync<VoteRequest, VoteReply>(HttpMethod.Post, s, "v1/lease/vote", request, cancellationToken)));
        var granted = replies.Count(r => r is { Granted: true });
        // A voter promised a later term (to a candidate that lost): step down and campaign above it next round, so the
        // actor's term is never below a voter's promise (voters fence instructions by that promise).
        var higher = replies.Any(r => r is not null && r.Term > term);
        var won = 2 * granted > config().Slots.Count && !higher;
        lock (_gate)
        {
            foreach (var r in replies.OfType<VoteReply>()) _maxSeenTerm = Math.Max(_maxSeenTerm, r.Term);
            var wasHolding = _validUntil > clock.GetUtcNow() && _term == term;
            if (!won)
            {
                // No lease was formed with this term: free this agent's own vote at once, and retry later than the
                // slots before this one, so candidates that lost together do not meet again.
                local.Withdraw(holder, term);
                var ordinal = config().Slots.ToList().FindIndex(s => s.Slot == config().Slot);
                if (!wasHolding) _backoffUntil = clock.GetUtcNow() + ttl * (1 + (double)ordinal / config().Slots.Count);
            }
            if (won)
            {
                (_term, _validUntil, _knownHolder) = (term, sent + ttl * 0.8, holder);
                if (!wasHolding) log($"elected the actor for term {term} ({granted} of {config().Slots.Count} votes)");
            }
            else
            {
                if (wasHolding)
                    log($"gave up the actor lease of term {term} ({granted} of {config().Slots.Count} votes{(higher ? ", a voter promised a later term" : "")})");
                _validUntil = DateTimeOffset.MinValue;
                _knownHolder = replies.OfType<VoteReply>().Where(r => !r.Granted && r.Holder is not null).OrderByDescending(r => r.Term)
                    .Select(r => r.Holder).FirstOrDefault();
            }
        }
        return won;
    }

    /// <summary>Leases lapse by themselves; giving one up early would need the voters' agreement too.</summary>
    public Task ReleaseAsync(string holder, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<string?> HolderAsync(CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_validUntil > clock.GetUtcNow() ? config().Slot : _knownHolder);
    }
}
