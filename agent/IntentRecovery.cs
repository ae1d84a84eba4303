namespace ScyllaApocryph.Agent;

/// <summary>
/// A voter that starts with nothing on its volume in a cluster that exists (a wiped volume, or a new slot) has no copy
/// of the intent to speak for (see <see cref="PromiseStore.Recovered"/>). It reads the intent from the other agents
/// until a majority of all slots answered with intact copies, keeps the newest, and only then takes part again.
/// A copy recorded at a majority is never missed: that majority, minus this agent, still meets any majority of the others.
/// </summary>
public static class IntentRecovery
{
    public static async Task RunAsync(AgentConfig config, PeerClient peers, PromiseStore store, JsonLog log, CancellationToken ct)
    {
        if (store.Recovered) return;
        log.Event("recovering", "no election state on the volume of an existing cluster: taking no part in elections or intent " +
            $"reads until a majority of the {config.Slots.Count} slots' agents gave their copy of the intent");
        try
        {
            while (true)
            {
                // An agent still recovering answers 503 (no copy to give): only intact copies come back.
                var copies = await Task.WhenAll(peers.Others.Select(s => peers.GetAsync<IntentRecord>(s, "v1/intent", ct)));
                var intact = copies.OfType<IntentRecord>().ToList();
                if (store.Recover(intact, config.Slots.Count))
                {
                    log.Event("recovered", $"read the intent from {intact.Count} intact agents: term {store.Intent.Term} seq {store.Intent.Seq}" +
                        (store.Intent.Intent is { } i ? $" ({i.Kind} {i.Address})" : " (none)"));
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(100, config.PollIntervalMs / 2)), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
