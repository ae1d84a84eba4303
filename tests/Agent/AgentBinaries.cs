using System.Diagnostics;

namespace ScyllaApocryph.Tests.Agent;

/// <summary>
/// The programs the agent tests run: the published single-file agent (scripts/publish-agent.sh, once per test run) and
/// the ScyllaDB stand-in (built with the tests, a ProjectReference).
/// </summary>
public static class AgentBinaries
{
    private static readonly Lazy<string> Published = new(Publish, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Infra.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Infra.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The published agent; a failed publish fails every test that needs it, with the script's output.</summary>
    public static string Agent => Published.Value;

    public static string StandIn
    {
        get
        {
            // tests/bin/<Configuration>/net10.0/ -> tests/ScyllaStandIn/bin/<Configuration>/net10.0/scylla-standin
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
            var path = Path.Combine(RepoRoot, "tests", "ScyllaStandIn", "bin", configuration, "net10.0", "scylla-standin");
            return File.Exists(path) ? path : throw new FileNotFoundException("the ScyllaDB stand-in was not built", path);
        }
    }

    /// <summary>Where the .NET runtime lives, for the stand-in only (a framework-dependent program); the agent needs none.</summary>
    public static string DotnetRoot => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));

    private static string Publish()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "agent-published"); // beside the tests: no copy left behind in /tmp
        // setup.sh restored the solution (the agent's linux-x64 runtime packs included): publishing needs no network then.
        var (code, log) = Run("bash", Path.Combine(RepoRoot, "scripts", "publish-agent.sh"), output);
        if (code != 0) throw new InvalidOperationException($"scripts/publish-agent.sh failed ({code}):\n{log}");
        return Path.Combine(output, "scylla-apocryph-agent");
    }

    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)}: no exit within 8 minutes");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
