using System.Text.Json;
using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Infra.Cli;

namespace ScyllaApocryph.Tests.Infra;

/// <summary>Bad input that used to get through: folders out of the project, shared folders, injection into rendered files.</summary>
public sealed class InputSafetyTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("safety-").FullName;

    public InputSafetyTests()
    {
        Directory.CreateDirectory(Project);
        File.Copy(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.yaml"), Path.Combine(Project, "Pulumi.yaml"));
    }

    public void Dispose() => Directory.Delete(_base, true);

    private string Project => Path.Combine(_base, "project");

    private static string Local => File.ReadAllText(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.local.yaml"));

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var env = new CliEnvironment(stdout, stderr, new StringReader(""), Project, k => k == "PULUMI_CONFIG_PASSPHRASE" ? "p" : null,
            InputIsTerminal: false, OutputIsTerminal: false);
        var code = await new CliApp(env) { Pbkdf2Iterations = 1000 }.RunAsync(args);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task A_render_directory_reached_through_a_symlink_out_of_the_project_is_refused_at_check_time()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_base, "outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(Project, "out"), outside);
        File.WriteAllText(Path.Combine(Project, "Pulumi.local.yaml"), Local);

        var (code, _, error) = await Run("up", "--stack", "local", "--yes");

        Assert.Equal(2, code);
        Assert.Contains("scylla-apocryph:providers.alpha.directory: 'out/local/alpha' leads to", error);
        Assert.Contains("scylla-apocryph:compose.directory:", error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.False(Directory.Exists(Path.Combine(Project, ".state")));
    }

    [Fact]
    public async Task A_copy_of_a_stack_file_saved_as_another_stack_is_refused_and_the_first_stack_keeps_its_files()
    {
        File.WriteAllText(Path.Combine(Project, "Pulumi.local.yaml"), Local);
        Assert.Equal(0, (await Run("up", "--stack", "local", "--yes")).Code);
        var key = Path.Combine(Project, "out", "local", "alpha", "scylla-local-alpha-0", "etc", "scylla", "tls", "node.key");
        var before = File.ReadAllText(key);
        File.WriteAllText(Path.Combine(Project, "Pulumi.copy.yaml"), Local);

        var (code, _, error) = await Run("up", "--stack", "copy", "--yes");

        Assert.Equal(2, code);
        Assert.Contains("scylla-apocryph:providers.alpha.directory: 'out/local/alpha' overlaps stack 'local'", error);
        Assert.Equal(before, File.ReadAllText(key));
        Assert.False(Directory.Exists(Path.Combine(Project, ".state", "copy")));
    }

    [Fact]
    public async Task The_embedded_local_stack_counts_as_another_stack_once_it_has_state()
    {
        Assert.Equal(0, (await Run("up", "--stack", "local", "--yes")).Code); // no Pulumi.local.yaml: the embedded copy
        File.WriteAllText(Path.Combine(Project, "Pulumi.copy.yaml"), Local.Replace("out/local/gamma", "out/copy/gamma"));

        var (code, _, error) = await Run("preview", "--stack", "copy");

        Assert.Equal(2, code);
        Assert.Contains("scylla-apocryph:providers.beta.directory: 'out/local/beta' overlaps stack 'local'", error);
        Assert.DoesNotContain("providers.gamma.directory: 'out/copy/gamma' overlaps", error);
    }

    [Fact]
    public async Task With_json_bad_input_prints_one_document_listing_every_error()
    {
        File.WriteAllText(Path.Combine(Project, "Pulumi.bad.yaml"), Local.Replace("cqlTls: 30942", "cqlTls: 70000").Replace("memory: 2Gi", "memory: 1Gi"));

        var (code, output, _) = await Run("preview", "--stack", "bad", "--json");

        Assert.Equal(2, code);
        var document = JsonDocument.Parse(output).RootElement;
        Assert.False(document.GetProperty("succeeded").GetBoolean());
        var errors = document.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:cluster.ports.cqlTls: must be between 1 and 65535; got 70000", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:cluster.nodeResources.memory:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_json_an_unknown_argument_prints_one_document_too()
    {
        var (code, output, _) = await Run("preview", "--stack", "local", "--json", "--no-such-flag");

        Assert.Equal(2, code);
        Assert.Contains("--no-such-flag", JsonDocument.Parse(output).RootElement.GetProperty("errors")[0].GetString());
    }

    [Fact]
    public async Task A_stack_named_dot_dot_is_refused_before_anything_is_written()
    {
        File.WriteAllText(Path.Combine(Project, "Pulumi...yaml"), Local);

        var (code, _, error) = await Run("up", "--stack", "..", "--yes");

        Assert.Equal(2, code);
        Assert.Contains("--stack: '..' is not a valid stack name", error);
        Assert.Equal(["Pulumi...yaml", "Pulumi.yaml"], Directory.EnumerateFileSystemEntries(Project).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Renaming_a_provider_key_is_diagnosed_at_preview_with_the_fix_and_nothing_is_deleted()
    {
        File.WriteAllText(Path.Combine(Project, "Pulumi.local.yaml"), Local);
        Assert.Equal(0, (await Run("up", "--stack", "local", "--yes")).Code);
        var key = Path.Combine(Project, "out", "local", "gamma", "scylla-local-gamma-0", "etc", "scylla", "tls", "node.key");
        File.WriteAllText(Path.Combine(Project, "Pulumi.local.yaml"), Local.Replace("provider: gamma", "provider: g2").Replace("    gamma:\n      kind", "    g2:\n      kind"));

        var (code, _, error) = await Run("preview", "--stack", "local");
        var (upCode, _, _) = await Run("up", "--stack", "local", "--yes");

        Assert.Equal(2, code);
        Assert.Contains("scylla-apocryph:providers.g2: provider 'gamma' seems renamed to 'g2'", error);
        Assert.Contains("Rename it back to 'gamma'", error);
        Assert.Equal(2, upCode);
        Assert.True(File.Exists(key));
    }

    [Fact]
    public async Task Removing_a_provider_that_still_has_resources_is_refused_at_preview()
    {
        File.WriteAllText(Path.Combine(Project, "Pulumi.local.yaml"), Local);
        Assert.Equal(0, (await Run("up", "--stack", "local", "--yes")).Code);
        File.WriteAllText(Path.Combine(Project, "Pulumi.local.yaml"), Local.Replace("provider: gamma", "provider: delta")
            .Replace("    gamma:\n      kind: render\n      directory: out/local/gamma", "    delta:\n      kind: render\n      directory: out/local/delta"));

        var (code, _, error) = await Run("preview", "--stack", "local");

        Assert.Equal(2, code);
        Assert.Contains("scylla-apocryph:providers: provider 'gamma' is no longer configured", error);
    }

    [Fact]
    public async Task Up_refuses_with_exit_2_when_the_plan_changed_between_confirmation_and_apply()
    {
        File.WriteAllText(Path.Combine(Project, "Pulumi.local.yaml"), Local);
        Assert.Equal(0, (await Run("up", "--stack", "local", "--yes")).Code);
        File.WriteAllText(Path.Combine(Project, "Pulumi.local.yaml"), Local.Replace("- name: app", "- name: app\n      - name: more"));
        var cql = Path.Combine(Project, "out", "local", "keyspaces.cql");
        var before = File.ReadAllText(cql);
        // While the person reads the plan and answers, a rendered file is edited: the apply would now also repair it.
        var scyllaYaml = Path.Combine(Project, "out", "local", "alpha", "scylla-local-alpha-0", "etc", "scylla", "scylla.yaml");
        var answer = new AnsweringReader("y", () => File.AppendAllText(scyllaYaml, "# edited\n"));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var env = new CliEnvironment(stdout, stderr, answer, Project, k => k == "PULUMI_CONFIG_PASSPHRASE" ? "p" : null,
            InputIsTerminal: true, OutputIsTerminal: false);

        var code = await new CliApp(env) { Pbkdf2Iterations = 1000 }.RunAsync(["up", "--stack", "local"]);

        Assert.Equal(2, code);
        Assert.Contains("the plan changed after it was confirmed, so nothing was applied", stderr.ToString());
        Assert.Contains("alpha/scylla-local-alpha-0/etc/scylla/scylla.yaml: the confirmed plan had same, but now it would update: the file was changed outside this program", stderr.ToString());
        Assert.Equal(before, File.ReadAllText(cql));
    }

    [Fact]
    public async Task Destroy_delete_data_is_confirmed_separately_by_typing_the_stack_name_even_with_yes()
    {
        File.WriteAllText(Path.Combine(Project, "Pulumi.local.yaml"), Local);
        Assert.Equal(0, (await Run("up", "--stack", "local", "--yes")).Code);
        var stdout = new StringWriter();
        var env = new CliEnvironment(stdout, new StringWriter(), new StringReader("yes\n"), Project, k => k == "PULUMI_CONFIG_PASSPHRASE" ? "p" : null,
            InputIsTerminal: true, OutputIsTerminal: false);

        var code = await new CliApp(env) { Pbkdf2Iterations = 1000 }.RunAsync(["destroy", "--stack", "local", "--yes", "--delete-data"]);

        Assert.Equal(0, code);
        Assert.Contains("Type the stack name (local) to delete the data", stdout.ToString());
        Assert.Contains("Cancelled; nothing was changed.", stdout.ToString());
        Assert.True(File.Exists(Path.Combine(Project, "out", "local", "docker-compose.yaml")));
    }

    private sealed class AnsweringReader(string answer, Action whileReading) : TextReader
    {
        public override string? ReadLine()
        {
            whileReading();
            return answer;
        }
    }

    [Fact]
    public void Keyspace_names_are_quoted_as_cql_identifiers_even_if_one_got_past_the_loader()
    {
        var stack = StackConfigTestsAccess.LocalSpec() with { };
        stack = stack with { Cluster = stack.Cluster with { Keyspaces = [new KeyspaceSpec("app\"; DROP KEYSPACE system_auth; --")] } };

        var cql = KeyspacePlan.Cql(Topology.Build(stack));

        Assert.Contains("CREATE KEYSPACE IF NOT EXISTS \"app\"\"; DROP KEYSPACE system_auth; --\" WITH", cql);
    }

    [Fact]
    public async Task A_rack_cannot_add_lines_to_the_rackdc_properties()
    {
        File.WriteAllText(Path.Combine(Project, "Pulumi.bad.yaml"), Local.Replace("provider: alpha\n        nodes: 1", "provider: alpha\n        nodes: 1\n        racks: [\"r1\\ndc=evil\"]"));

        var (code, _, error) = await Run("up", "--stack", "bad", "--yes");

        Assert.Equal(2, code);
        Assert.Contains("scylla-apocryph:cluster.datacenters[0].racks: 'r1\\u000adc=evil' is not a lowercase DNS label", error);
        Assert.False(Directory.Exists(Path.Combine(Project, "out")));
    }
}

/// <summary>The repository's local stack, parsed.</summary>
internal static class StackConfigTestsAccess
{
    public static StackSpec LocalSpec() =>
        ScyllaApocryph.Infra.Config.StackConfigLoader.Parse("scylla-apocryph", "local", "Pulumi.local.yaml",
            File.ReadAllText(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.local.yaml")));
}
