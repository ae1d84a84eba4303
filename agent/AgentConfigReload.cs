namespace ScyllaApocryph.Agent;

/// <summary>What a changed agent.json does to a running agent.</summary>
/// <param name="Effective">The configuration the agent runs with from now on.</param>
/// <param name="Held">Keys that changed but keep their old value until the agent itself restarts (a new pod).</param>
public sealed record AgentConfigChange(AgentConfig Effective, IReadOnlyList<string> Held);

/// <summary>
/// Hot reload of agent.json, where it is safe. Membership facts (slots, retired slots, replication factors, the
/// autoscaler) and timings take effect at once: the actor rebuilds its round from them. What ScyllaDB is started with
/// (entrypoint, base scylla.yaml, conf files, restartOn) takes effect at its next start, which the changed input
/// fingerprint asks for (a rolling restart). What the running agent is (its cluster, slot, volume, listen address,
/// security, TLS file paths, REST port, instance name) cannot change under it: those keys are held, and said so.
/// </summary>
public static class AgentConfigReload
{
    public static AgentConfigChange Apply(AgentConfig current, AgentConfig next)
    {
        var held = new List<string>();
        T Keep<T>(string key, T now, T wanted)
        {
            if (!EqualityComparer<T>.Default.Equals(now, wanted)) held.Add(key);
            return now;
        }
        var effective = next with
        {
            Cluster = Keep("cluster", current.Cluster, next.Cluster),
            Slot = Keep("slot", current.Slot, next.Slot),
            DataDirectory = Keep("dataDirectory", current.DataDirectory, next.DataDirectory),
            Listen = Keep("listen", current.Listen, next.Listen),
            Security = Keep("security", current.Security, next.Security),
            Tls = Keep("tls", current.Tls, next.Tls),
            ScyllaApiPort = Keep("scyllaApiPort", current.ScyllaApiPort, next.ScyllaApiPort),
            InstanceId = Keep("instanceId", current.InstanceId, next.InstanceId),
        };
        return new AgentConfigChange(effective, held);
    }
}
