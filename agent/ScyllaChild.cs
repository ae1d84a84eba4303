using System.Diagnostics;

namespace ScyllaApocryph.Agent;

/// <summary>
/// ScyllaDB's own entrypoint, run as the agent's child. Its output goes to the agent's (the container log). Stopping
/// drains first (POST /storage_service/drain on loopback: flushes memtables and stops listening, so clients and peers
/// see an orderly exit), then SIGTERM, then SIGKILL after the stop timeout.
/// </summary>
public sealed class ScyllaChild(Process process)
{
    public int Pid => process.Id;

    public bool Exited => process.HasExited;

    public Task WaitAsync(CancellationToken ct) => process.WaitForExitAsync(ct);

    public int ExitCode => process.ExitCode;

    public static ScyllaChild Start(AgentConfig config, BootPlan plan)
    {
        var info = new ProcessStartInfo(config.Entrypoint[0]) { UseShellExecute = false };
        foreach (var a in EffectiveConfig.Arguments(config, plan)) info.ArgumentList.Add(a);
        info.Environment["SCYLLA_CONF"] = config.ScyllaConfDirectory; // ScyllaDB reads $SCYLLA_CONF/scylla.yaml
        return new ScyllaChild(Process.Start(info) ?? throw new InvalidOperationException($"could not start {config.Entrypoint[0]}"));
    }

    public async Task StopAsync(HttpClient loopback, Uri api, TimeSpan timeout, Action<string> log)
    {
        if (process.HasExited) return;
        try
        {
            using var drainTimeout = new CancellationTokenSource(timeout);
            using var response = await loopback.PostAsync(new Uri(api, "/storage_service/drain"), null, drainTimeout.Token);
            log($"drain answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            log($"drain failed ({e.Message}); stopping anyway");
        }
        if (process.HasExited) return;
        Signal(process.Id, 15);
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            log($"ScyllaDB did not stop within {timeout.TotalSeconds:0}s of SIGTERM: killing it");
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static void Signal(int pid, int signal) => _ = Kill(pid, signal);
}
