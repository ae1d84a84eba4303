using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ScyllaApocryph.Engine.State;

namespace ScyllaApocryph.Bench;

/// <summary>
/// Start-up of the built program against a hello-world .NET process (this benchmark's own executable with
/// <c>--hello</c>), timed side by side, run after run, so that the machine's load weighs on both alike:
/// <c>preview --stack local</c> of a fresh project (no state: no passphrase key is derived), the same preview once
/// <c>up</c> has recorded state (its secrets are decrypted with a key derived once by PBKDF2), and that derivation
/// alone, the floor the second preview cannot go below.
/// </summary>
public sealed class StartupBench : IBenchmark
{
    public string Name => "startup";

    public string Description => "wall time of `preview --stack local` against a hello-world process (options: --program PATH, --runs N)";

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
            Console.WriteLine($"program: {program}, {runs} runs each, medians");
            var hello = new List<double>();
            var fresh = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                hello.Add(await Time(Hello(), project));
                fresh.Add(await Time(Program(program, "preview"), project));
            }
            Row("hello-world", hello, hello);
            Row("preview --stack local (no state)", fresh, hello);

            if (await Time(Program(program, "up", "--yes"), project, mustSucceed: true) < 0) return;
            var helloAgain = new List<double>();
            var stated = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                helloAgain.Add(await Time(Hello(), project));
                stated.Add(await Time(Program(program, "preview"), project));
            }
            Row("hello-world (beside the next row)", helloAgain, helloAgain);
            Row("preview --stack local (after up)", stated, helloAgain);

            var salt = RandomNumberGenerator.GetBytes(16);
            var pbkdf2 = Enumerable.Range(0, 3).Select(_ =>
            {
                var watch = Stopwatch.StartNew();
                Rfc2898DeriveBytes.Pbkdf2("bench passphrase", salt, PassphraseCipher.DefaultIterations, HashAlgorithmName.SHA256, 32);
                return watch.Elapsed.TotalSeconds;
            }).ToList();
            Console.WriteLine($"{"PBKDF2-SHA256 " + PassphraseCipher.DefaultIterations.ToString("N0", CultureInfo.InvariantCulture) + " (the floor after up)",-40} {Median(pbkdf2),8:F3} s   derived once per run, only when state exists");
        }
        finally
        {
            Directory.Delete(project, true);
        }
    }

    private static void Row(string what, List<double> times, List<double> hello) =>
        Console.WriteLine($"{what,-40} {Median(times),8:F3} s {Median(times) / Median(hello),8:F1}x hello-world");

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

    /// <summary>Wall time from start to exit, in seconds; output is read and dropped.</summary>
    private static async Task<double> Time(ProcessStartInfo start, string directory, bool mustSucceed = false)
    {
        start.WorkingDirectory = directory;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var elapsed = watch.Elapsed.TotalSeconds;
        if (process.ExitCode == 0 || !mustSucceed) return elapsed;
        Console.WriteLine($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {await error}{await output}");
        return -1;
    }

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
