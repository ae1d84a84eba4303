using System.Security.Cryptography;

namespace ScyllaApocryph.Agent;

/// <summary>
/// Tells the Nebula sidecar to reload when its configuration changed: SIGHUP to the process named
/// <see cref="AgentNebula.ProcessName"/> whose command line contains <see cref="AgentNebula.CommandLineContains"/>
/// (Nebula reloads its config on SIGHUP, pki included: certificate, CA and blocklist; slackhq/nebula config/config.go
/// CatchHUP). The first look records what Nebula started with; a change counts once two looks agree. Restarting
/// ScyllaDB would not apply a blocklist, so this is no rolling restart: each node's Nebula reloads on its own, and a
/// reload keeps the tunnels up.
/// </summary>
public sealed class NebulaReloader(Func<AgentConfig> config, JsonLog log)
{
    private string? _applied;
    private string? _lastSeen;
    private bool _saidNoProcess;

    public void LookOnce()
    {
        if (config().Nebula is not { } nebula) return;
        string hash;
        try
        {
            hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(nebula.ConfigFile)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // mid-swap or not mounted: the next look sees it
        }
        if (_applied is null || hash == _applied || hash != _lastSeen)
        {
            _applied ??= hash;
            _lastSeen = hash;
            return;
        }
        var pids = Find(nebula.ProcessName, nebula.CommandLineContains);
        if (pids.Count == 0)
        {
            if (!_saidNoProcess) log.Event("nebula-reload", $"{nebula.ConfigFile} changed but no {nebula.ProcessName} process is visible (is the pod's process namespace shared?)");
            _saidNoProcess = true;
            return;
        }
        foreach (var pid in pids) _ = Kill(pid, SigHup);
        _applied = hash;
        _saidNoProcess = false;
        log.Event("nebula-reload", $"{nebula.ConfigFile} changed: sent SIGHUP to {nebula.ProcessName} (pid {string.Join(", ", pids)}) to reload it");
    }

    /// <summary>Processes whose executable name is <paramref name="name"/> (as /proc/PID/comm, at most 15 characters)
    /// and whose command line contains <paramref name="contains"/>.</summary>
    public static IReadOnlyList<int> Find(string name, string? contains)
    {
        var comm = name.Length > 15 ? name[..15] : name;
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n') != comm) continue;
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (contains is null || cmdline.Contains(contains, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // gone meanwhile, or not ours to read
            }
        }
        return found;
    }

    private const int SigHup = 1;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
