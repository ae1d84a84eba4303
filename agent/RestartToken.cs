namespace ScyllaApocryph.Agent;

/// <summary>
/// The rolling-restart token, replicated as the intent is (<see cref="MajorityIntentJournal"/>): written by the actor
/// with its lease term to every agent, in force once a majority accepted it; read from a majority, newest copy first.
/// Any two majorities share an agent, so a token granted by a dead actor is seen by the next one, and the restarting
/// agent sees the grant (or its release) the actor wrote. A holder acts only on a grant a majority holds (committed):
/// a grant a deposed actor got to a minority is never acted on, and the next actor re-writes whatever newest copy
/// it found with its own term (as Paxos adopts a value), so such a grant is either completed or replaced, never both.
/// </summary>
/// <summary>The newest copy of the token the agents that answered hold, and whether a majority of all slots hold exactly it.</summary>
public sealed record TokenRead(RestartGrant Newest, bool Committed);

public sealed class RestartToken(Func<AgentConfig> config, PeerClient peers, PromiseStore local)
{
    private long _seq;

    /// <summary>The newest copy among a majority's answers; null when no majority answered.</summary>
    public async Task<TokenRead?> ReadAsync(CancellationToken ct)
    {
        var c = config();
        var copies = await Task.WhenAll(c.Slots.Select(s => s.Slot == c.Slot
            ? Task.FromResult<RestartGrant?>(local.Restart)
            : peers.GetAsync<RestartGrant>(s, "v1/restart", ct)));
        var read = Settle([.. copies.OfType<RestartGrant>()], c.Slots.Count);
        if (read is not null) Interlocked.Exchange(ref _seq, Math.Max(Interlocked.Read(ref _seq), read.Newest.Seq));
        return read;
    }

    /// <summary>The newest of the copies, committed when a majority of <paramref name="slots"/> hold exactly it.</summary>
    public static TokenRead? Settle(IReadOnlyList<RestartGrant> copies, int slots)
    {
        if (2 * copies.Count <= slots) return null;
        var newest = copies.Aggregate((a, b) => b.IsNewerThan(a) ? b : a);
        return new TokenRead(newest, 2 * copies.Count(c => c == newest) > slots);
    }

    /// <summary>Grants the token to <paramref name="slot"/> (null: frees it) in <paramref name="term"/>; throws unless a majority accepted.</summary>
    public async Task WriteAsync(string? slot, long term, CancellationToken ct)
    {
        if (term == 0) throw new InvalidOperationException("restart token: this agent does not hold the actor lease");
        var c = config();
        var grant = new RestartGrant(term, Interlocked.Increment(ref _seq), slot);
        var replies = await Task.WhenAll(c.Slots.Select(s => s.Slot == c.Slot
            ? Task.FromResult<IntentReply?>(local.ReplicateRestart(grant))
            : peers.SendAsync<RestartGrant, IntentReply>(HttpMethod.Put, s, "v1/restart", grant, ct)));
        var accepted = replies.Count(r => r is { Accepted: true });
        if (2 * accepted <= c.Slots.Count)
            throw new InvalidOperationException($"restart token: only {accepted} of {c.Slots.Count} agents accepted term {term}'s grant (fenced off?)");
    }
}
