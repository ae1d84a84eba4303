using System.Diagnostics;
using System.Security.Cryptography;

namespace ScyllaApocryph.Bench;

/// <summary>
/// Start-up of the built program beside a hello-world .NET process, timed side by side (alternating, so both see the
/// same machine load): preview of the local stack without state, the same with state (which needs the passphrase key:
/// one PBKDF2-SHA256 derivation at 600,000 iterations, also timed on its own as the floor), and the installed command
/// if scripts/install.sh put one on PATH. Prints medians and the ratio to hello-world.
/// </summary>
public sealed class StartupBench : IBenchmark
{
    private const int Rounds = 7;

    public string Name => "startup";

    public string Description => "wall time of `preview --stack local` against a hello-world process (median of 7, side by side)";

    public async Task RunAsync(string[] args)
    {
        var root = RepositoryRoot();
        var program = Path.Combine(root, "infra", "bin", "Release", "net10.0", "scylla-apocryph.dll");
        if (!File.Exists(program))
        {
            Console.WriteLine($"startup: skipped: build the program first (dotnet build -c Release infra); {program} is missing");
            return;
        }
        var project = Directory.CreateTempSubdirectory("bench-startup-").FullName;
        var withState = Directory.CreateTempSubdirectory("bench-startup-state-").FullName;
        try
        {
            foreach (var dir in new[] { project, withState }) File.Copy(Path.Combine(root, "Pulumi.yaml"), Path.Combine(dir, "Pulumi.yaml"));
            await Time("dotnet", [program, "up", "--stack", "local", "--yes"], withState);
            var installed = FindOnPath("scylla-apocryph");
            var cases = new List<(string Name, string File, string[] Args, string Dir)>
            {
                ("hello-world (dotnet)", "dotnet", [typeof(StartupBench).Assembly.Location], project),
                ("preview, no state (dotnet)", "dotnet", [program, "preview", "--stack", "local"], project),
                ("preview, with state (dotnet)", "dotnet", [program, "preview", "--stack", "local"], withState),
            };
            if (installed is not null)
            {
                cases.Add(("preview, no state (installed)", installed, ["preview", "--stack", "local"], project));
                cases.Add(("preview, with state (installed)", installed, ["preview", "--stack", "local"], withState));
            }
            var times = cases.ToDictionary(c => c.Name, _ => new List<double>());
            for (var round = 0; round < Rounds; round++)
                foreach (var c in cases)
                    times[c.Name].Add(await Time(c.File, c.Args, c.Dir));
            var hello = Median(times[cases[0].Name]);
            foreach (var c in cases)
                Console.WriteLine($"{c.Name,-34} {Median(times[c.Name]),7:F3} s   {Median(times[c.Name]) / hello,6:F1}x hello-world");
            var clock = Stopwatch.StartNew();
            Rfc2898DeriveBytes.Pbkdf2("bench passphrase", new byte[16], 600_000, HashAlgorithmName.SHA256, 32);
            Console.WriteLine($"{"PBKDF2-SHA256, 600,000 iterations",-34} {clock.Elapsed.TotalSeconds,7:F3} s   (the floor of any run that reads secrets)");
            if (installed is null) Console.WriteLine("installed command: none on PATH (bash scripts/install.sh installs scylla-apocryph)");
            Console.WriteLine($"load average now: {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} CPUs");
        }
        finally
        {
            Directory.Delete(project, true);
            Directory.Delete(withState, true);
        }
    }

    private static async Task<double> Time(string file, string[] args, string dir)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["PULUMI_CONFIG_PASSPHRASE"] = "bench passphrase";
        start.Environment["BENCH_HELLO"] = "1"; // makes this assembly a hello-world; the program ignores it
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var elapsed = clock.Elapsed.TotalSeconds;
        await output;
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await errors}");
        return elapsed;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Infra.sln"))) return dir.FullName;
        throw new InvalidOperationException("run the bench from the repository (Infra.sln not found above " + AppContext.BaseDirectory + ")");
    }
}
