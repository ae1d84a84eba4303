using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Text.Json;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Infra.Cli;

namespace ScyllaApocryph.Tests.Infra;

/// <summary>
/// The real program, killed with SIGKILL while `up` applies, then run again: whatever instant the kill hit, the
/// next `up` finishes the job, and afterwards the files on disk are exactly the files the state records.
/// </summary>
public sealed class KillRecoveryTests : IDisposable
{
    private readonly string _project = Directory.CreateTempSubdirectory("kill-").FullName;

    public KillRecoveryTests()
    {
        File.Copy(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.yaml"), Path.Combine(_project, "Pulumi.yaml"));
        var local = File.ReadAllText(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.local.yaml"));
        // Large enough (hundreds of resources) that a kill lands in the middle of applying.
        File.WriteAllText(Path.Combine(_project, "Pulumi.big.yaml"), local.Replace("nodes: 1", "nodes: 12").Replace("out/local", "out/big"));
    }

    public void Dispose() => Directory.Delete(_project, true);

    private Process Start()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _project };
        foreach (var a in new[] { CliProgram.Path, "up", "--stack", "big", "--yes", "--parallel", "4" }) start.ArgumentList.Add(a);
        start.Environment["PULUMI_CONFIG_PASSPHRASE"] = "kill test";
        return Process.Start(start)!;
    }

    private async Task<(int Code, string Output)> Run()
    {
        using var process = Start();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000)) process.Kill();
        return (process.ExitCode, await output + await errors);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int command, int argument);

    private const int SetPipeSize = 1031; // F_SETPIPE_SZ, fcntl(2)
    private const int PipeBytes = 4096;   // the smallest pipe capacity Linux grants: one page

    /// <summary>
    /// Shrinks the pipe the victim writes its progress to, so it can run at most one page of lines ahead of what this
    /// test has read. The victim prints each finished step synchronously (ProgressView), so once the test stops
    /// reading, every worker blocks on its next line: where the kill lands no longer depends on machine speed.
    /// </summary>
    private static void LimitOutputPipe(Process victim)
    {
        var pipe = (PipeStream)victim.StandardOutput.BaseStream;
        var fd = (int)pipe.SafePipeHandle.DangerousGetHandle();
        Assert.True(fcntl(fd, SetPipeSize, PipeBytes) >= 0, $"F_SETPIPE_SZ failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>
    /// Starts `up` and kills it (SIGKILL) once it has reported its <paramref name="created"/>-th created resource.
    /// Its output pipe holds one page, so it cannot finish the ~370 steps before the kill, however loaded the machine
    /// is. Bounded: gives up after 90 seconds.
    /// </summary>
    private async Task KillAfterCreated(int created)
    {
        using var victim = Start();
        LimitOutputPipe(victim);
        var errors = victim.StandardError.ReadToEndAsync();
        var seen = new List<string>();
        var createdSeen = 0;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            try
            {
                while (createdSeen < created && await victim.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                {
                    seen.Add(line);
                    if (line.Contains(" created ", StringComparison.Ordinal)) createdSeen++;
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                if (!victim.HasExited) victim.Kill(entireProcessTree: true);
            }
        }
        victim.WaitForExit(30_000);
        var report = string.Join("\n", seen) + "\n" + await errors;
        Assert.True(createdSeen == created, $"the run reported {createdSeen} created resources, not {created}:\n{report}");
        // A finished run folds its journal into a snapshot: a journal and no snapshot means the kill cut it short.
        var state = Path.Combine(_project, ".state", "big");
        Assert.True(File.Exists(Path.Combine(state, StateStore.JournalFile)) && !File.Exists(Path.Combine(state, StateStore.SnapshotFile)),
            "the kill did not land mid-apply:\n" + report);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(150)]
    public async Task Up_killed_mid_apply_is_finished_by_the_next_up_without_duplicates_or_orphans(int killAfterCreated)
    {
        await KillAfterCreated(killAfterCreated);

        var (code, output) = await Run();
        var (again, secondOutput) = await Run();

        Assert.True(code == 0, output);
        Assert.True(again == 0, secondOutput);
        Assert.DoesNotContain("created", secondOutput);
        Assert.False(File.Exists(Path.Combine(_project, ".state", "big", StateStore.JournalFile)));
        var snapshot = JsonDocument.Parse(File.ReadAllText(Path.Combine(_project, ".state", "big", StateStore.SnapshotFile)));
        var recorded = snapshot.RootElement.GetProperty("resources").EnumerateArray()
            .Where(r => r.GetProperty("type").GetString() == "render:index:File")
            .Select(r => Path.GetFullPath(Path.Combine(r.GetProperty("outputs").GetProperty("root").GetString()!, r.GetProperty("id").GetString()!)))
            .ToList();
        var onDisk = Directory.GetFiles(Path.Combine(_project, "out", "big"), "*", SearchOption.AllDirectories).Select(Path.GetFullPath).ToList();
        Assert.Equal(recorded.Count, recorded.Distinct().Count());
        // Name the strays either way, so a failure says which files disagree.
        var strays = onDisk.Except(recorded).Select(f => "on disk, not in state: " + f)
            .Concat(recorded.Except(onDisk).Select(f => "in state, not on disk: " + f)).ToList();
        Assert.True(strays.Count == 0, string.Join("\n", strays));
        Assert.Equal(0, snapshot.RootElement.GetProperty("pending").GetArrayLength());
    }
}
