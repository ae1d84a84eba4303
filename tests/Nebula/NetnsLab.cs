using System.Diagnostics;
using System.Text;

namespace ScyllaApocryph.Tests.Nebula;

/// <summary>
/// Simulated hosts for the overlay tests: one network namespace per host, each with a veth into a private
/// "switch" namespace holding a bridge, so nothing is added to the machine's own namespace. Names are unique per
/// run; Dispose kills every process started here (by its own id) and deletes every namespace (which deletes the veths).
/// A killed run cannot dispose, so each lab records what it creates (<see cref="NetnsLeftovers"/>) and the next lab
/// removes what runs that are no longer alive left behind.
/// </summary>
public sealed class NetnsLab : IDisposable
{
    private readonly string _marker;
    private readonly List<string> _namespaces = [];
    private readonly List<Process> _processes = [];
    private readonly StringBuilder _log = new();
    private readonly Dictionary<(string, int), Process> _listeners = [];

    public NetnsLab(string markerDirectory = NetnsLeftovers.DefaultDirectory)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("network namespaces need Linux");
        Pki.Preconditions.RequireNetns();
        RemoveLeftovers(markerDirectory);
        Id = Guid.NewGuid().ToString("N")[..6];
        WorkDir = Path.Combine(Path.GetTempPath(), "sa-netns-" + Id);
        _marker = NetnsLeftovers.Begin(markerDirectory, Id);
        Directory.CreateDirectory(WorkDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Switch = $"sap{Id}sw";
        try
        {
            AddNamespace(Switch);
            Ip("-n", Switch, "link", "set", "lo", "up");
            Ip("-n", Switch, "link", "add", "br0", "type", "bridge");
            Ip("-n", Switch, "link", "set", "br0", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Id { get; }

    public string WorkDir { get; }

    private string Switch { get; }

    /// <summary>Everything the lab ran, for a failing test's message.</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>Adds host number <paramref name="n"/> with underlay address 10.99.0.n/24 and returns its namespace.</summary>
    public string AddHost(int n)
    {
        var ns = $"sap{Id}h{n}";
        AddNamespace(ns);
        Ip("-n", ns, "link", "set", "lo", "up");
        Ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", $"v{n}", "netns", Switch);
        Ip("-n", ns, "addr", "add", $"10.99.0.{n}/24", "dev", "eth0");
        Ip("-n", ns, "link", "set", "eth0", "up");
        Ip("-n", Switch, "link", "set", $"v{n}", "master", "br0");
        Ip("-n", Switch, "link", "set", $"v{n}", "up");
        return ns;
    }

    public static string Underlay(int n) => $"10.99.0.{n}";

    /// <summary>Starts a long-running process inside a namespace; its output goes to the lab log.</summary>
    public Process Start(string ns, string file, params string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", ns, file }.Concat(args)) start.ArgumentList.Add(a);
        var p = Process.Start(start)!;
        lock (_processes) _processes.Add(p);
        var tag = $"[{ns}:{Path.GetFileName(file)}] ";
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) Append(tag + e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Append(tag + e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public void Stop(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        lock (_processes) _processes.Remove(p);
        p.Dispose();
    }

    /// <summary>Runs a short command in a namespace; returns its exit code (output goes to the log).</summary>
    public int Exec(string ns, TimeSpan timeout, params string[] command) =>
        Run("ip", ["netns", "exec", ns, .. command], timeout).ExitCode;

    /// <summary>True when a TCP connection from <paramref name="ns"/> to ip:port completes within the timeout.</summary>
    public bool CanConnect(string ns, string ip, int port, TimeSpan timeout)
    {
        var seconds = Math.Max(1, (int)timeout.TotalSeconds);
        return Exec(ns, timeout + TimeSpan.FromSeconds(3), "timeout", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "bash", "-c", $"exec 3<>/dev/tcp/{ip}/{port}") == 0;
    }

    /// <summary>Tries a few times: the first packet to a new peer waits for the Nebula handshake.</summary>
    public bool EventuallyConnects(string ns, string ip, int port, int attempts = 6)
    {
        for (var i = 0; i < attempts; i++)
        {
            if (CanConnect(ns, ip, port, TimeSpan.FromSeconds(3))) return true;
            Thread.Sleep(300);
        }
        return false;
    }

    /// <summary>Starts a TCP listener on 0.0.0.0:port that accepts and closes every connection.</summary>
    public Process Listen(string ns, int port)
    {
        lock (_listeners)
        {
            if (_listeners.TryGetValue((ns, port), out var running) && !running.HasExited) return running;
        }
        var script = "import socket\n" +
                     "s = socket.socket()\n" +
                     "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
                     $"s.bind(('0.0.0.0', {port}))\n" +
                     "s.listen(16)\n" +
                     "print('listening', flush=True)\n" +
                     "while True:\n" +
                     "    c, a = s.accept()\n" +
                     "    print('accepted', a[0], flush=True)\n" +
                     "    c.close()\n";
        var p = Start(ns, "python3", "-u", "-c", script);
        if (!WaitUntil(() => CanConnect(ns, "127.0.0.1", port, TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(10)))
            throw new InvalidOperationException($"listener on {ns}:{port} did not come up\n{Log}");
        lock (_listeners) _listeners[(ns, port)] = p;
        return p;
    }

    public bool WaitUntil(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (condition()) return true;
            Thread.Sleep(200);
        }
        return condition();
    }

    public (int ExitCode, string Output) Run(string file, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(5000);
            Append($"$ {file} {string.Join(' ', args)} -> timed out");
            return (-1, "");
        }
        p.WaitForExit();
        var output = (stdout.Result + stderr.Result).Trim();
        Append($"$ {file} {string.Join(' ', args.Select(a => a.Length > 80 ? a[..80] + "..." : a))} -> {p.ExitCode} {output}");
        return (p.ExitCode, output);
    }

    private void AddNamespace(string ns)
    {
        NetnsLeftovers.Record(_marker, ns);
        Ip("netns", "add", ns);
        _namespaces.Add(ns);
    }

    /// <summary>
    /// Removes what labs of dead runs left: the processes inside their namespaces (nebula, listeners), the
    /// namespaces and their work directories. Labs of live runs are left alone.
    /// </summary>
    private void RemoveLeftovers(string markerDirectory)
    {
        foreach (var leftover in NetnsLeftovers.Find(markerDirectory, NetnsLeftovers.IsAlive))
        {
            foreach (var ns in Enumerable.Reverse(leftover.Namespaces).Where(Exists))
            {
                var (_, pids) = Run("ip", ["netns", "pids", ns], TimeSpan.FromSeconds(15));
                foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    try
                    {
                        using var p = Process.GetProcessById(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture));
                        p.Kill();
                        p.WaitForExit(5000);
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or System.ComponentModel.Win32Exception)
                    {
                        // Already gone.
                    }
                }
                Run("ip", ["netns", "del", ns], TimeSpan.FromSeconds(15));
            }
            try
            {
                var workDir = Path.Combine(Path.GetTempPath(), "sa-netns-" + leftover.Id);
                if (Directory.Exists(workDir)) Directory.Delete(workDir, recursive: true);
            }
            catch (IOException)
            {
            }
            // Keep the record while anything it names is still there, so a later run tries again.
            if (!leftover.Namespaces.Any(Exists)) File.Delete(leftover.Marker);
        }
    }

    /// <summary>True while a named network namespace exists (iproute2 keeps one mount per name in /run/netns).</summary>
    public static bool Exists(string ns) => File.Exists(Path.Combine("/run/netns", ns));

    private void Ip(params string[] args)
    {
        var (code, output) = Run("ip", args, TimeSpan.FromSeconds(15));
        if (code != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)} failed: {output}");
    }

    private void Append(string line)
    {
        lock (_log) _log.AppendLine(line);
    }

    public void Dispose()
    {
        List<Process> running;
        lock (_processes) running = [.. _processes];
        foreach (var p in running) Stop(p);
        // Deleting a namespace deletes the veth ends inside it, and with them their peers.
        foreach (var ns in Enumerable.Reverse(_namespaces))
        {
            try
            {
                Run("ip", ["netns", "del", ns], TimeSpan.FromSeconds(15));
            }
            catch (Exception)
            {
                // Keep cleaning the rest.
            }
        }
        if (!_namespaces.Any(Exists))
        {
            try
            {
                File.Delete(_marker);
            }
            catch (IOException)
            {
                // The next lab sees a dead owner and cleans up.
            }
        }
        _namespaces.Clear();
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
