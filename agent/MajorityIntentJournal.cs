using ScyllaApocryph.Components.Membership;

namespace ScyllaApocryph.Agent;

/// <summary>
/// The intent journal, replicated: written to every agent and durable once a majority accepted it (each keeps it on
/// its volume), read from a majority and the newest copy taken. Any two majorities share an agent, so an intent the
/// dead actor recorded is seen by the next one. Writes carry the actor's term and are refused by agents that promised a
/// later term: an actor that lost the election cannot record, and so cannot act.
/// </summary>
public sealed class MajorityIntentJournal(Func<AgentConfig> config, PeerClient peers, PromiseStore local, MajorityLease lease) : IIntentJournal
{
    private long _seq;

    public async Task<TopologyIntent?> LoadAsync(CancellationToken cancellationToken)
    {
        var copies = await Task.WhenAll(config().Slots.Select(s => s.Slot == config().Slot
            ? Task.FromResult(local.Recovered ? local.Intent : null) // a wiped copy is no copy (IntentRecovery)
            : peers.GetAsync<IntentRecord>(s, "v1/intent", cancellationToken)));
        var answered = copies.OfType<IntentRecord>().ToList();
        if (2 * answered.Count <= config().Slots.Count)
            throw new InvalidOperationException($"intent: only {answered.Count} of {config().Slots.Count} agents answered; a majority is needed to read it");
        var newest = answered.Aggregate((a, b) => b.IsNewerThan(a) ? b : a);
        _seq = Math.Max(_seq, newest.Seq);
        return newest.Intent;
    }

    public Task SaveAsync(TopologyIntent intent, CancellationToken cancellationToken) => ReplicateAsync(intent, cancellationToken);

    public Task ClearAsync(CancellationToken cancellationToken) => ReplicateAsync(null, cancellationToken);

    private async Task ReplicateAsync(TopologyIntent? intent, CancellationToken ct)
    {
        var term = lease.Term;
        if (term == 0) throw new InvalidOperationException("intent: this agent does not hold the actor lease");
        var record = new IntentRecord(term, Interlocked.Increment(ref _seq), intent);
        var replies = await Task.WhenAll(config().Slots.Select(s => s.Slot == config().Slot
            ? Task.FromResult<IntentReply?>(local.Replicate(record))
            : peers.SendAsync<IntentRecord, IntentReply>(HttpMethod.Put, s, "v1/intent", record, ct)));
        var accepted = replies.Count(r => r is { Accepted: true });
        if (2 * accepted <= config().Slots.Count)
            throw new InvalidOperationException($"intent: only {accepted} of {config().Slots.Count} agents accepted term {term}'s record (fenced off?)");
    }
}
