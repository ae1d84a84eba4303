namespace ScyllaApocryph.Agent;

/// <summary>
/// The rolling-restart token, replicated as the intent is (<see cref="MajorityIntentJournal"/>): written by the actor
/// with its lease term to every agent, in force once a majority accepted it; read from a majority, newest copy first.
/// Any two majorities share an agent, so a token granted by a dead actor is seen by the next one, and the restarting
/// agent sees the grant (or its release) the actor wrote.
/// </summary>
public sealed class RestartToken(Func<AgentConfig> config, PeerClient peers, PromiseStore local)
{
    private long _seq;

    /// <summary>The newest copy a majority holds; null when no majority answered.</summary>
    public async Task<RestartGrant?> ReadAsync(CancellationToken ct)
    {
        var c = config();
        var copies = await Task.WhenAll(c.Slots.Select(s => s.Slot == c.Slot
            ? Task.FromResult<RestartGrant?>(local.Restart)
            : peers.GetAsync<RestartGrant>(s, "v1/restart", ct)));
        var answered = copies.OfType<RestartGrant>().ToList();
        if (2 * answered.Count <= c.Slots.Count) return null;
        var newest = answered.Aggregate((a, b) => b.IsNewerThan(a) ? b : a);
        Interlocked.Exchange(ref _seq, Math.Max(Interlocked.Read(ref _seq), newest.Seq));
        return newest;
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
