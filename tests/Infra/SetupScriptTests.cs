using System.Diagnostics;

namespace ScyllaApocryph.Tests.Infra;

/// <summary>
/// scripts/setup.sh and scripts/up-local.sh, run against stub commands in a copy of the repository layout: the main
/// job (up-local.sh, which runs setup.sh --for-up) never needs the network for the test helpers' npm packages.
/// </summary>
public sealed class SetupScriptTests : IDisposable
{
    private readonly string _repo = Directory.CreateTempSubdirectory("setup-").FullName;
    private string Bin => Path.Combine(_repo, "stubs");
    private string Calls => Path.Combine(_repo, "calls.log");

    public SetupScriptTests()
    {
        Directory.CreateDirectory(Path.Combine(_repo, "scripts"));
        foreach (var script in new[] { "setup.sh", "up-local.sh" })
            File.Copy(Path.Combine(StackConfigTests.RepositoryRoot(), "scripts", script), Path.Combine(_repo, "scripts", script));
        // Every test helper folder with npm packages: tests/js, the devnet's contracts and tools, the Pulumi interop harness.
        foreach (var helper in new[] { "js", "devnet", "pulumi-interop" })
        {
            Directory.CreateDirectory(Path.Combine(_repo, "tests", helper));
            File.WriteAllText(Path.Combine(_repo, "tests", helper, "package.json"), "{}");
        }
        File.WriteAllText(Path.Combine(_repo, "tests", "devnet", "compile.mjs"), "");
        Directory.CreateDirectory(Bin);
        // Every tool the scripts may call, recording its call; npm fails as it does with the registry unreachable.
        foreach (var tool in new[] { "dotnet", "nebula", "nebula-cert", "ip", "python3", "openssl", "apt-get", "npm", "node" })
        {
            var stub = Path.Combine(Bin, tool);
            File.WriteAllText(stub, $"#!/bin/sh\necho \"{tool} $*\" >> '{Calls}'\n" + (tool == "npm" ? "echo 'npm error network' >&2; exit 1\n" : "exit 0\n"));
            File.SetUnixFileMode(stub, (UnixFileMode)0b111_101_101);
        }
    }

    public void Dispose() => Directory.Delete(_repo, true);

    private (int Code, string Calls) Run(string script, params string[] args)
    {
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(_repo, "scripts", script));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["PATH"] = $"{Bin}:/usr/bin:/bin";
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000));
        return (process.ExitCode, File.Exists(Calls) ? File.ReadAllText(Calls) : "");
    }

    [Fact]
    public void Up_local_sets_up_without_npm_restores_only_the_program_and_runs_up()
    {
        var (code, calls) = Run("up-local.sh");

        Assert.True(code == 0, calls);
        Assert.DoesNotContain("npm", calls);
        Assert.DoesNotContain("node compile.mjs", calls); // the devnet's compiler is one of those npm packages
        Assert.Contains("dotnet restore infra/ScyllaApocryph.Infra.csproj", calls);
        Assert.DoesNotContain("Infra.sln", calls);
        Assert.Contains("dotnet run --project infra -- up --stack local --yes", calls);
    }

    [Fact]
    public void Full_setup_still_installs_the_test_helpers_npm_packages()
    {
        var (code, calls) = Run("setup.sh");

        Assert.NotEqual(0, code); // the stub npm fails, as an unreachable registry does
        Assert.Contains("npm ci", calls);
    }

    [Fact]
    public void Setup_refuses_an_unknown_argument_with_exit_2()
    {
        var (code, calls) = Run("setup.sh", "--tests");

        Assert.Equal(2, code);
        Assert.Equal("", calls);
    }
}
