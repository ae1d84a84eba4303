using System.Security.Cryptography;

namespace ScyllaApocryph.Agent;

/// <summary>
/// Polls, every <see cref="AgentConfig.WatchIntervalMs"/>, the agent's own agent.json (hot reload) and the node's
/// inputs (<see cref="InputFingerprint"/>). Hashing, not inotify: Kubernetes updates a mounted ConfigMap or Secret by
/// swapping a symlink (..data), and a bind mount may hide events, but a hash of what the file says now is always right.
/// A changed input counts once two looks in a row agree, so a file caught half-way through an update restarts nothing.
/// </summary>
public sealed class InputWatcher(NodeAgent agent, string? configPath, JsonLog log)
{
    private string? _configHash;
    private string? _lastSeen;
    private readonly NebulaReloader _nebula = new(() => agent.Config, log);

    public async Task RunAsync(CancellationToken ct)
    {
        _configHash = configPath is null ? null : HashOf(configPath);
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(agent.Config.WatchIntervalMs), ct);
            try
            {
                LookOnce();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.Event("watch-error", e.Message);
            }
        }
    }

    /// <summary>One look: reload a changed agent.json, then compare the inputs with what ScyllaDB started with.</summary>
    public void LookOnce()
    {
        if (configPath is not null && HashOf(configPath) is { } hash && hash != _configHash)
        {
            _configHash = hash;
            try
            {
                agent.Reconfigure(AgentConfig.Load(configPath));
            }
            catch (AgentConfigException e)
            {
                log.Event("config-invalid", "agent.json changed but is not valid; running on with the previous configuration: " + e.Message);
            }
        }
        if (agent.Peers.Tls?.Refresh() is { } tls) log.Event("tls-reload", tls);
        _nebula.LookOnce();
        var inputs = InputFingerprint.Of(agent.Config);
        if (inputs == _lastSeen) agent.InputsSeen(inputs);
        _lastSeen = inputs;
    }

    private static string? HashOf(string path)
    {
        try
        {
            return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // mid-swap: the next look sees the file
        }
    }
}
