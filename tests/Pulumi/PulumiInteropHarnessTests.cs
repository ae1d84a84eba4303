using System.Diagnostics;
using ScyllaApocryph.Tests.Infra;

namespace ScyllaApocryph.Tests.Pulumi;

/// <summary>
/// Runs the interop harness in tests/pulumi-interop (node's test runner, upstream's generated stubs from npm
/// @pulumi/pulumi) against the plugin and the program this build produced. It starts dozens of processes, so it
/// runs on its own rather than beside tests that time a kill against a running apply.
/// </summary>
[Collection(PulumiInteropCollection.Name)]
public sealed class PulumiInteropHarnessTests
{
    [Fact]
    public void Our_proto_files_have_upstreams_field_numbers_names_types_and_methods() => Run("proto.test.js");

    [Fact]
    public void The_plugin_answers_every_RPC_as_Pulumis_engine_expects_with_secrets_wrapped() => Run("plugin.test.js");

    [Fact]
    public void Under_Pulumis_monitor_the_program_and_Construct_register_the_stacks_graph_with_parents_dependencies_and_secrets() =>
        Run("program.test.js");

    private static void Run(string file)
    {
        var root = StackConfigTests.RepositoryRoot();
        var harness = Path.Combine(root, "tests", "pulumi-interop");
        Assert.True(Directory.Exists(Path.Combine(harness, "node_modules", "@pulumi", "pulumi")),
            "npm packages of tests/pulumi-interop are not installed: run scripts/setup.sh");
        // The same configuration as this test assembly (tests/bin/<configuration>/net10.0/).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var start = new ProcessStartInfo("node", ["--test", file])
        {
            WorkingDirectory = harness,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["BUILD_CONFIGURATION"] = configuration;
        start.Environment["PLUGIN_PATH"] = Path.Combine(root, "plugin", "bin", configuration, "net10.0", "pulumi-resource-scylla-apocryph");
        start.Environment["PROGRAM_DLL"] = Path.Combine(root, "infra", "bin", configuration, "net10.0", "scylla-apocryph.dll");
        using var node = Process.Start(start)!;
        var stderr = node.StandardError.ReadToEndAsync();
        var stdout = node.StandardOutput.ReadToEnd();
        if (!node.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail($"{file} ran past 5 minutes:\n{stdout}");
        }
        var output = stdout + stderr.Result;
        Assert.True(node.ExitCode == 0, $"{file} failed (exit {node.ExitCode}):\n{output}");
        Assert.Contains("# fail 0", output);
        Assert.Matches(@"# pass [1-9]", output);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PulumiInteropCollection
{
    public const string Name = "Pulumi interop harness (many processes)";
}
