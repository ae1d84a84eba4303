using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ScyllaApocryph.Agent;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>One node of the harness: its directories, its agent configuration, and the agent process (with the stand-in
/// it starts as its child). Its agent's output is kept in <c>agent.log</c> beside its data.</summary>
public sealed class AgentNode(AgentCluster cluster, int index, string directory, string address, int apiPort)
{
    private Process? _agent;
    private readonly StringBuilder _log = new();

    public int Index { get; } = index;

    public string Slot => $"n{Index}";

    /// <summary>The pod's name, as agent.json carries it: the same for every version of the node's files.</summary>
    public string InstanceId { get; } = $"n{index}-{Guid.NewGuid():N}"[..12];

    public string Address { get; } = address;

    public string Directory { get; } = directory;

    public string DataDirectory => Path.Combine(Directory, "data");

    public string ConfigPath => Path.Combine(Directory, "agent.json");

    /// <summary>A file standing for the node's certificate: listed in restartOn, so a change restarts its ScyllaDB.</summary>
    public string CertificatePath => Path.Combine(Directory, "node.crt");

    public int ApiPort { get; } = apiPort;

    public string AgentUrl => $"http://{Address}:{AgentCluster.AgentPort}/";

    public Process? Process => _agent;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Replaced by a rename, as Kubernetes swaps a mounted ConfigMap's files and the render provider writes them.</summary>
    public void WriteConfig(AgentConfig config)
    {
        File.WriteAllText(ConfigPath + ".new", JsonSerializer.Serialize(config, AgentConfig.Json));
        File.Move(ConfigPath + ".new", ConfigPath, overwrite: true);
    }

    /// <summary>Starts the published agent with a PATH that has no dotnet on it.</summary>
    public Process Start()
    {
        var info = new ProcessStartInfo(AgentBinaries.Agent)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        info.ArgumentList.Add("run");
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(ConfigPath);
        info.Environment.Clear();
        info.Environment["PATH"] = cluster.EmptyPath;
        info.Environment["HOME"] = Directory;
        info.Environment["SCYLLA_STANDIN_CLUSTER"] = cluster.Server.Url.ToString();
        info.Environment["DOTNET_ROOT"] = AgentBinaries.DotnetRoot; // read by the stand-in's host only; the agent is self-contained
        var p = System.Diagnostics.Process.Start(info)!;
        p.OutputDataReceived += (_, e) => Append(e.Data);
        p.ErrorDataReceived += (_, e) => Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _agent = p;
        return p;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
        File.AppendAllText(Path.Combine(Directory, "agent.log"), line + "\n");
    }

    /// <summary>SIGKILL to the agent and its ScyllaDB stand-in, as when a container or its host dies.</summary>
    public void Kill()
    {
        var standIn = cluster.Server.PidOf(Address);
        // The whole tree, as a container dies with all its processes: a stand-in started a moment ago may not be known to
        // the cluster server yet.
        if (_agent is { HasExited: false } a) a.Kill(entireProcessTree: true);
        if (standIn is { } pid && SimulatedClusterServer.Alive(pid))
        {
            try { System.Diagnostics.Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        }
        _agent?.WaitForExit(10_000);
    }

    /// <summary>SIGTERM: the agent drains and stops ScyllaDB, then exits with its exit code.</summary>
    public int Terminate(TimeSpan timeout)
    {
        if (_agent is not { HasExited: false } a) return _agent?.ExitCode ?? -1;
        Signal(a.Id, 15);
        if (!a.WaitForExit(timeout)) throw new TimeoutException($"{Slot}: agent did not exit within {timeout} of SIGTERM\n{Log}");
        return a.ExitCode;
    }

    public void Wipe()
    {
        if (System.IO.Directory.Exists(DataDirectory)) System.IO.Directory.Delete(DataDirectory, recursive: true);
        System.IO.Directory.CreateDirectory(DataDirectory);
    }

    public VolumeIdentity? Identity => VolumeIdentity.Read(DataDirectory);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Signal(int pid, int signal);
}
