using System.Diagnostics;

namespace ScyllaApocryph.Tests.Infra;

/// <summary>
/// The main job (scripts/up-local.sh) needs nothing the tests alone need: run against stand-ins for npm and dotnet
/// on PATH, it must never call npm (a test helper's package manager) and must restore only the program.
/// </summary>
public sealed class SetupScriptTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("setup-").FullName;
    private string Log => Path.Combine(_root, "calls.log");

    public SetupScriptTests()
    {
        var repo = StackConfigTests.RepositoryRoot();
        Directory.CreateDirectory(Path.Combine(_root, "scripts"));
        foreach (var script in new[] { "setup.sh", "up-local.sh" })
            File.Copy(Path.Combine(repo, "scripts", script), Path.Combine(_root, "scripts", script));
        Directory.CreateDirectory(Path.Combine(_root, "tests", "js"));
        File.Copy(Path.Combine(repo, "tests", "js", "package.json"), Path.Combine(_root, "tests", "js", "package.json"));
        var bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        // npm fails as it does with no network; everything else answers, so apt is never needed.
        Stub(bin, "npm", "exit 1");
        foreach (var tool in new[] { "dotnet", "nebula-cert", "nebula", "ip", "python3", "openssl" }) Stub(bin, tool, "exit 0");
    }

    public void Dispose() => Directory.Delete(_root, true);

    private void Stub(string bin, string name, string exit)
    {
        var path = Path.Combine(bin, name);
        File.WriteAllText(path, $"#!/bin/sh\necho \"{name} $*\" >> '{Log}'\n{exit}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private (int Code, string Calls) Run(string script, params string[] args)
    {
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _root };
        start.ArgumentList.Add(Path.Combine(_root, "scripts", script));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["PATH"] = $"{Path.Combine(_root, "bin")}:/usr/bin:/bin";
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000));
        return (process.ExitCode, File.Exists(Log) ? File.ReadAllText(Log) : "");
    }

    [Fact]
    public void Up_local_sets_up_and_runs_up_without_calling_npm_or_restoring_the_tests()
    {
        var (code, calls) = Run("up-local.sh");

        Assert.Equal(0, code);
        Assert.DoesNotContain("npm", calls);
        Assert.Contains("dotnet restore infra/ScyllaApocryph.Infra.csproj", calls);
        Assert.DoesNotContain("Infra.sln", calls);
        Assert.Contains("dotnet run --project infra -- up --stack local --yes", calls);
    }

    [Fact]
    public void Setup_for_the_tests_installs_the_test_helpers_npm_packages_and_restores_the_solution()
    {
        var (code, calls) = Run("setup.sh", "--tests");

        Assert.NotEqual(0, code); // the stand-in npm fails, and setup says so by its exit code
        Assert.Contains("npm ci", calls);
    }

    [Fact]
    public void Setup_refuses_an_unknown_argument_with_exit_2()
    {
        Assert.Equal(2, Run("setup.sh", "--test").Code);
    }
}
