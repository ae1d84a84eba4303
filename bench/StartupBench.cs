using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ScyllaApocryph.Engine.State;

namespace ScyllaApocryph.Bench;

/// <summary>
/// Start-up of the built program against a hello-world .NET process (this benchmark's own executable with
/// <c>--hello</c>), timed side by side, run after run, so that the machine's load weighs on both alike. Each row is
/// a median of wall time and of CPU time (user + system, from getrusage of the finished child), since on a shared
/// machine CPU time is the steadier figure. Rows: <c>preview --stack local</c> of a fresh project (no state, no key),
/// then, once <c>up</c> has recorded state, <c>stack output</c> (secrets hidden: no key is derived), the same
/// preview (the render provider compares files whose content embeds secrets, so it derives the key once), and that
/// derivation alone: the floor of any run that opens a secret.
/// </summary>
public sealed class StartupBench : IBenchmark
{
    public string Name => "startup";

    public string Description => "wall and CPU time of `preview --stack local` against a hello-world process (options: --program PATH, --runs N)";

    public async Task RunAsync(string[] args)
    {
        var program = Option(args, "--program") ?? OnPath("scylla-apocryph");
        if (program is null)
        {
            Console.WriteLine("no scylla-apocryph on PATH: install it with `bash scripts/install.sh`, or pass --program PATH " +
                              "(for example infra/bin/Release/net10.0/scylla-apocryph)");
            return;
        }
        var runs = int.Parse(Option(args, "--runs") ?? "10", CultureInfo.InvariantCulture);
        var project = Directory.CreateTempSubdirectory("startup-bench-").FullName;
        try
        {
            File.Copy(Path.Combine(RepositoryRoot(), "Pulumi.yaml"), Path.Combine(project, "Pulumi.yaml"));
            Console.WriteLine($"program: {program}, {runs} runs each, medians; load average {LoadAverage()}");
            Console.WriteLine($"{"",-44} {"wall",8}   {"CPU",8}   {"wall/hello",10}");
            var (hello, fresh) = await SideBySide(runs, project, Program(program, "preview"));
            Row("hello-world", hello, hello);
            Row("preview --stack local (no state)", fresh, hello);

            if ((await Time(Program(program, "up", "--yes"), project, mustSucceed: true)).Wall < 0) return;
            var (helloAgain, output) = await SideBySide(runs, project, Program(program, "stack", "output"));
            var (_, stated) = await SideBySide(runs, project, Program(program, "preview"));
            Row("hello-world (beside the next rows)", helloAgain, helloAgain);
            Row("stack output --stack local (no key)", output, helloAgain);
            Row("preview --stack local (after up, one key)", stated, helloAgain);

            var salt = RandomNumberGenerator.GetBytes(16);
            var pbkdf2 = Enumerable.Range(0, 3).Select(_ =>
            {
                var watch = Stopwatch.StartNew();
                PassphraseCipher.Pbkdf2("bench passphrase", salt, PassphraseCipher.DefaultIterations);
                return watch.Elapsed.TotalSeconds;
            }).ToList();
            Console.WriteLine($"{"PBKDF2-SHA256 " + PassphraseCipher.DefaultIterations.ToString("N0", CultureInfo.InvariantCulture) + " (the key)",-44} " +
                              $"{Median(pbkdf2),8:F3} s   derived at most once per run, only when a secret is opened");
        }
        finally
        {
            Directory.Delete(project, true);
        }
    }

    private static async Task<(List<Sample> Hello, List<Sample> Program)> SideBySide(int runs, string project, ProcessStartInfo program)
    {
        var hello = new List<Sample>();
        var timed = new List<Sample>();
        for (var i = 0; i < runs; i++)
        {
            hello.Add(await Time(Hello(), project));
            timed.Add(await Time(Clone(program), project));
        }
        return (hello, timed);
    }

    private readonly record struct Sample(double Wall, double Cpu);

    private static void Row(string what, List<Sample> times, List<Sample> hello)
    {
        var wall = Median([.. times.Select(t => t.Wall)]);
        Console.WriteLine($"{what,-44} {wall,8:F3} s {Median([.. times.Select(t => t.Cpu)]),8:F3} s {wall / Median([.. hello.Select(t => t.Wall)]),9:F1}x");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static ProcessStartInfo Hello()
    {
        // Started as `dotnet bench.dll` the child needs the dll; started through the app host it must not get it.
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host);
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(StartupBench).Assembly.Location);
        start.ArgumentList.Add("--hello");
        return start;
    }

    private static ProcessStartInfo Program(string program, params string[] verb)
    {
        var start = new ProcessStartInfo(program) { Environment = { ["PULUMI_CONFIG_PASSPHRASE"] = "startup bench" } };
        foreach (var a in verb.Concat(["--stack", "local"])) start.ArgumentList.Add(a);
        return start;
    }

    private static ProcessStartInfo Clone(ProcessStartInfo start)
    {
        var copy = new ProcessStartInfo(start.FileName);
        foreach (var a in start.ArgumentList) copy.ArgumentList.Add(a);
        foreach (var (k, v) in start.Environment) copy.Environment[k] = v;
        return copy;
    }

    /// <summary>Wall time from start to exit and the child's CPU time, in seconds; output is read and dropped.</summary>
    private static async Task<Sample> Time(ProcessStartInfo start, string directory, bool mustSucceed = false)
    {
        start.WorkingDirectory = directory;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var cpuBefore = ChildrenCpu();
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var elapsed = watch.Elapsed.TotalSeconds;
        var sample = new Sample(elapsed, ChildrenCpu() - cpuBefore);
        if (process.ExitCode == 0 || !mustSucceed) return sample;
        Console.WriteLine($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {await error}{await output}");
        return new Sample(-1, -1);
    }

    // getrusage(RUSAGE_CHILDREN): user + system time of every child waited for so far; children run one at a time here.
    private static double ChildrenCpu()
    {
        if (GetRusage(-1, out var usage) != 0) return double.NaN;
        return usage.UserSeconds + usage.UserMicros / 1e6 + usage.SystemSeconds + usage.SystemMicros / 1e6;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRusage(int who, out RUsage usage);

    // struct rusage on 64-bit Linux: two struct timevals, then fourteen longs.
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicros;
        public long SystemSeconds;
        public long SystemMicros;
        [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.ByValArray, SizeConst = 14)]
        public long[] Rest;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Pulumi.yaml")) && File.Exists(Path.Combine(dir.FullName, "Infra.sln"))) return dir.FullName;
        throw new InvalidOperationException("run the benchmark from the repository (dotnet run -c Release --project bench -- startup)");
    }
}
