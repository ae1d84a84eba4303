using System.Text.Json;
using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Infra.Cli;

namespace ScyllaApocryph.Tests.Infra;

/// <summary>The command line, run in-process against a fresh project directory.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _project = Directory.CreateTempSubdirectory("cli-").FullName;
    private readonly Dictionary<string, string> _env = new() { ["PULUMI_CONFIG_PASSPHRASE"] = "test passphrase" };

    public CliTests() => File.Copy(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.yaml"), Path.Combine(_project, "Pulumi.yaml"));

    public void Dispose() => Directory.Delete(_project, true);

    private Task<(int Code, string Out, string Err)> Run(params string[] args) => RunAnswering(null, args);

    /// <param name="answer">What a person types at the terminal; null: there is no terminal to ask on.</param>
    private async Task<(int Code, string Out, string Err)> RunAnswering(string? answer, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var env = new CliEnvironment(stdout, stderr, new StringReader(answer ?? ""), _project, k => _env.GetValueOrDefault(k), InputIsTerminal: answer is not null, OutputIsTerminal: false);
        var code = await new CliApp(env) { Pbkdf2Iterations = 1000 }.RunAsync(args);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string OutLocal => Path.Combine(_project, "out", "local");

    [Fact]
    public async Task Up_on_the_local_stack_renders_three_nodes_and_a_second_up_changes_nothing()
    {
        var (code, output, _) = await Run("up", "--stack", "local", "--yes");

        Assert.Equal(0, code);
        foreach (var dc in new[] { "alpha", "beta", "gamma" })
        {
            Assert.True(File.Exists(Path.Combine(OutLocal, dc, $"scylla-local-{dc}-0", "etc", "scylla", "scylla.yaml")));
            Assert.True(File.Exists(Path.Combine(OutLocal, dc, $"scylla-local-{dc}-0", "etc", "scylla", "cassandra-rackdc.properties")));
        }
        Assert.Contains("created", output);
        var (again, secondOutput, _) = await Run("up", "--stack", "local", "--yes");
        Assert.Equal(0, again);
        Assert.DoesNotContain("created", secondOutput);
        Assert.Matches(@"Resources: \d+ unchanged", secondOutput);
    }

    [Fact]
    public async Task Up_lists_every_node_with_provider_datacenter_rack_address_ports_and_seed()
    {
        var (_, output, _) = await Run("up", "--stack", "local", "--yes");

        Assert.Matches(@"name\s+address\s+datacenter\s+ports\s+provider\s+rack\s+role\s+seed", output);
        Assert.Matches(@"scylla-local-beta-0\s+scylla-local-beta-0\s+beta\s+30701/internode-tls 30942/cql-tls 30943/cql-tls-shard\s+beta\s+rack1\s+data\s+true", output);
        Assert.True(File.Exists(Path.Combine(OutLocal, "docker-compose.yaml")));
        Assert.True(File.Exists(Path.Combine(OutLocal, "alpha", "scylla-local-alpha-0", "kubernetes.yaml")));
        Assert.True(File.Exists(Path.Combine(OutLocal, "beta", "scylla-local-beta-0", "apocryph-pod.json")));
    }

    [Fact]
    public async Task Moving_a_deployed_node_to_another_rack_is_refused_and_nothing_is_touched()
    {
        var local = File.ReadAllText(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.local.yaml"));
        File.WriteAllText(Path.Combine(_project, "Pulumi.racks.yaml"), local);
        Assert.Equal(0, (await Run("up", "--stack", "racks", "--yes")).Code);
        var rendered = File.ReadAllText(Path.Combine(OutLocal, "beta", "scylla-local-beta-0", "etc", "scylla", "cassandra-rackdc.properties"));
        File.WriteAllText(Path.Combine(_project, "Pulumi.racks.yaml"), local.Replace(
            "        provider: beta\n        nodes: 1\n", "        provider: beta\n        nodes: 1\n        racks: [east]\n"));

        var (code, _, error) = await Run("up", "--stack", "racks", "--yes");

        Assert.Equal(2, code);
        Assert.Contains("scylla-apocryph:cluster.datacenters: node scylla-local-beta-0 would move from rack rack1 to east", error);
        Assert.Equal(rendered, File.ReadAllText(Path.Combine(OutLocal, "beta", "scylla-local-beta-0", "etc", "scylla", "cassandra-rackdc.properties")));
    }

    [Fact]
    public async Task The_generated_superuser_password_is_a_secret_everywhere_but_show_secrets()
    {
        var (_, upOutput, upErrors) = await Run("up", "--stack", "local", "--yes");
        var (_, json, _) = await Run("stack", "output", "--stack", "local", "--json");
        var (_, shown, _) = await Run("stack", "output", "--stack", "local", "--json", "--show-secrets");

        var password = JsonDocument.Parse(shown).RootElement.GetProperty("superuserPassword").GetString()!;
        Assert.Equal(32, password.Length);
        Assert.Equal("[secret]", JsonDocument.Parse(json).RootElement.GetProperty("superuserPassword").GetString());
        Assert.DoesNotContain(password, upOutput + upErrors);
        foreach (var file in Directory.GetFiles(Path.Combine(_project, ".state"), "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(password, File.ReadAllText(file));
        var scyllaYaml = Path.Combine(OutLocal, "alpha", "scylla-local-alpha-0", "etc", "scylla", "scylla.yaml");
        Assert.Matches(@"auth_superuser_salted_password: '\$6\$", File.ReadAllText(scyllaYaml));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(scyllaYaml));
    }

    [Fact]
    public async Task Destroy_removes_everything_up_created()
    {
        await Run("up", "--stack", "local", "--yes");

        var (code, _, _) = await Run("destroy", "--stack", "local", "--yes");

        Assert.Equal(0, code);
        Assert.False(Directory.EnumerateFiles(Path.Combine(_project, "out"), "*", SearchOption.AllDirectories).Any());
        // Each provider's folder goes with its last file; folders above a provider's folder are not its to remove.
        foreach (var dc in new[] { "alpha", "beta", "gamma" }) Assert.False(Directory.Exists(Path.Combine(OutLocal, dc)));
        Assert.True(Directory.Exists(Path.Combine(_project, "out")));
        var (_, outputs, _) = await Run("stack", "output", "--stack", "local", "--json");
        Assert.Equal("{}", outputs.Trim());
    }

    [Fact]
    public async Task A_failed_apply_step_exits_1_and_names_the_step()
    {
        // A file where the provider needs its folder: every write under it fails.
        Directory.CreateDirectory(OutLocal);
        File.WriteAllText(Path.Combine(OutLocal, "beta"), "in the way");

        var (code, output, _) = await Run("up", "--stack", "local", "--yes");

        Assert.Equal(1, code);
        Assert.Matches(@"failed\s*: render:index:File .*beta", output);
        Assert.Matches(@"Resources: .*\d+ failed", output);
        Assert.True(File.Exists(Path.Combine(OutLocal, "alpha", "scylla-local-alpha-0", "etc", "scylla", "scylla.yaml")));
    }

    [Fact]
    public async Task Without_yes_and_without_a_terminal_destroy_shows_the_plan_refuses_and_deletes_nothing()
    {
        await Run("up", "--stack", "local", "--yes");
        var files = Directory.GetFiles(OutLocal, "*", SearchOption.AllDirectories).Order().ToList();

        var (code, output, error) = await Run("destroy", "--stack", "local");

        Assert.Equal(2, code);
        Assert.Matches(@"Plan: \d+ to delete", output);
        Assert.Contains("pass --yes", error);
        Assert.Equal(files, Directory.GetFiles(OutLocal, "*", SearchOption.AllDirectories).Order());
    }

    [Fact]
    public async Task Without_yes_and_without_a_terminal_up_shows_the_plan_refuses_and_changes_nothing()
    {
        var (code, output, error) = await Run("up", "--stack", "local");

        Assert.Equal(2, code);
        Assert.Contains("Plan:", output);
        Assert.Contains("pass --yes", error);
        Assert.False(Directory.Exists(OutLocal));
        Assert.False(Directory.Exists(Path.Combine(_project, ".state")));
    }

    [Theory]
    [InlineData("PULUMI_CONFIG_PASSPHRASE", "")]
    [InlineData("PULUMI_CONFIG_PASSPHRASE_FILE", "/nonexistent/passphrase")]
    public async Task An_unusable_passphrase_setting_on_a_new_stack_exits_2_naming_it_and_creates_nothing(string variable, string value)
    {
        _env.Remove("PULUMI_CONFIG_PASSPHRASE");
        _env[variable] = value;

        var (code, _, error) = await Run("up", "--stack", "local", "--yes");

        Assert.Equal(2, code);
        Assert.Contains(variable + ":", error);
        Assert.False(Directory.Exists(Path.Combine(_project, ".state")));
    }

    [Fact]
    public async Task Declining_the_plan_of_a_new_stack_without_a_passphrase_generates_none_and_leaves_no_state()
    {
        _env.Remove("PULUMI_CONFIG_PASSPHRASE");

        var (code, _, error) = await RunAnswering("n\n", "up", "--stack", "local");

        Assert.Equal(0, code);
        Assert.DoesNotContain(PassphraseSource.GeneratedFile, error);
        Assert.False(Directory.Exists(Path.Combine(_project, ".state")));
    }

    [Fact]
    public async Task With_json_the_confirmation_is_asked_on_standard_error_so_standard_output_stays_one_json_document()
    {
        var (code, output, error) = await RunAnswering("n\n", "up", "--stack", "local", "--json");

        Assert.Equal(0, code);
        using var plan = JsonDocument.Parse(output);
        Assert.True(plan.RootElement.GetProperty("preview").GetBoolean());
        Assert.Contains("Do you want to apply these changes? [y/N]", error);
        Assert.Contains("Cancelled; nothing was changed.", error);
        Assert.Contains("Plan for stack local", error); // what the person confirms on
        Assert.False(Directory.Exists(OutLocal));
    }

    [Fact]
    public async Task With_json_a_confirmed_up_prints_only_the_result_document()
    {
        var (code, output, error) = await RunAnswering("y\n", "up", "--stack", "local", "--json");

        Assert.Equal(0, code);
        using var result = JsonDocument.Parse(output); // one document: the result, not the plan before it
        Assert.False(result.RootElement.GetProperty("preview").GetBoolean());
        Assert.Contains("Plan for stack local", error);
        Assert.True(Directory.Exists(OutLocal));
    }

    [Fact]
    public async Task Preview_changes_nothing_not_even_the_state_directory()
    {
        var (code, output, _) = await Run("preview", "--stack", "local");

        Assert.Equal(0, code);
        Assert.Matches(@"Plan: \d+ to create", output);
        Assert.False(Directory.Exists(Path.Combine(_project, ".state")));
        Assert.False(Directory.Exists(OutLocal));
    }

    [Fact]
    public async Task Started_with_PULUMI_MONITOR_but_without_PULUMI_ENGINE_it_names_the_missing_variable_and_exits_2()
    {
        _env["PULUMI_MONITOR"] = "127.0.0.1:12345";

        var (code, _, error) = await Run("up", "--stack", "local", "--yes");

        Assert.Equal(2, code);
        Assert.Contains("PULUMI_ENGINE: not set", error);
        Assert.False(Directory.Exists(OutLocal));
    }

    [Fact]
    public async Task A_bad_stack_file_exits_2_naming_the_key_and_touches_nothing()
    {
        File.WriteAllText(Path.Combine(_project, "Pulumi.bad.yaml"), """
            config:
              scylla-apocryph:cluster:
                name: bad
                image: scylla
                nodeResources: { cpu: 1, memory: 1Gi, disk: 10Gi }
                datacenters: [{ name: a, provider: nowhere, nodes: 1 }]
              scylla-apocryph:providers: {}
            """);

        var (code, _, error) = await Run("up", "--stack", "bad", "--yes");

        Assert.Equal(2, code);
        Assert.Contains("scylla-apocryph:cluster.nodeResources.memory", error);
        Assert.Contains("scylla-apocryph:cluster.datacenters[0].provider", error);
        Assert.Contains("Nothing was changed", error);
        Assert.False(Directory.Exists(Path.Combine(_project, ".state")));
    }

    [Fact]
    public async Task A_missing_stack_option_or_an_unknown_option_exits_2()
    {
        Assert.Equal(2, (await Run("up", "--yes")).Code);
        Assert.Equal(2, (await Run("up", "--stack", "local", "--frobnicate")).Code);
        Assert.Equal(2, (await Run("up", "--stack", "local", "--parallel", "0", "--yes")).Code);
    }

    [Fact]
    public async Task A_stack_locked_by_another_run_exits_2_naming_the_holder()
    {
        using var held = StackLock.Acquire(Path.Combine(_project, ".state", "local"), "up");

        var (code, _, error) = await Run("up", "--stack", "local", "--yes");

        Assert.Equal(2, code);
        Assert.Contains($"locked by process {Environment.ProcessId}", error);
        Assert.False(Directory.Exists(OutLocal));
    }

    [Fact]
    public async Task Damaged_state_exits_2_and_is_left_as_it_was()
    {
        await Run("up", "--stack", "local", "--yes");
        var snapshot = Path.Combine(_project, ".state", "local", StateStore.SnapshotFile);
        File.WriteAllText(snapshot, "[[[");

        var (code, _, error) = await Run("up", "--stack", "local", "--yes");

        Assert.Equal(2, code);
        Assert.Contains("is damaged", error);
        Assert.Equal("[[[", File.ReadAllText(snapshot));
    }

    [Fact]
    public async Task An_altered_secret_in_the_state_exits_2_as_damage_naming_the_file_and_leaves_it_as_it_was()
    {
        await Run("up", "--stack", "local", "--yes");
        var snapshot = Path.Combine(_project, ".state", "local", StateStore.SnapshotFile);
        Engine.StateStoreTests.AlterFirstSecret(snapshot);
        var altered = File.ReadAllText(snapshot);

        var (code, _, error) = await Run("up", "--stack", "local", "--yes");

        Assert.Equal(2, code);
        Assert.Contains($"{snapshot} is damaged", error);
        Assert.DoesNotContain("passphrase", error);
        Assert.Equal(altered, File.ReadAllText(snapshot));
    }

    [Fact]
    public async Task A_damaged_salt_exits_2_as_damage_and_a_wrong_passphrase_is_still_reported_as_one()
    {
        await Run("up", "--stack", "local", "--yes");
        var settings = Path.Combine(_project, ".state", "local", PassphraseCipher.SettingsFile);
        var original = File.ReadAllText(settings);
        _env["PULUMI_CONFIG_PASSPHRASE"] = "another passphrase";
        var wrong = await Run("up", "--stack", "local", "--yes");
        _env["PULUMI_CONFIG_PASSPHRASE"] = "test passphrase";
        File.WriteAllText(settings, System.Text.RegularExpressions.Regex.Replace(original, "\"salt\": \"[^\"]*\"", "\"salt\": \"#not base64#\""));

        var damaged = await Run("up", "--stack", "local", "--yes");

        Assert.Equal((2, 2), (wrong.Code, damaged.Code));
        Assert.Contains("passphrase does not match", wrong.Err);
        Assert.Contains($"{settings} is damaged ('salt' is not valid base64)", damaged.Err);
        Assert.DoesNotContain("passphrase does not match", damaged.Err);
    }

    [Fact]
    public async Task Json_output_is_a_single_document_with_every_step()
    {
        var (code, output, _) = await Run("up", "--stack", "local", "--yes", "--json");

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.True(doc.RootElement.GetProperty("succeeded").GetBoolean());
        Assert.Contains(doc.RootElement.GetProperty("steps").EnumerateArray(), s => s.GetProperty("op").GetString() == "create");
        Assert.Equal(3, doc.RootElement.GetProperty("outputs").GetProperty("nodes").GetArrayLength());
    }

    [Fact]
    public async Task Up_with_json_shows_no_secret_in_plaintext()
    {
        var (code, json, errors) = await Run("up", "--stack", "local", "--yes", "--json");
        var (_, shown, _) = await Run("stack", "output", "--stack", "local", "--json", "--show-secrets");

        var password = JsonDocument.Parse(shown).RootElement.GetProperty("superuserPassword").GetString()!;
        Assert.Equal(0, code);
        Assert.Equal("[secret]", JsonDocument.Parse(json).RootElement.GetProperty("outputs").GetProperty("superuserPassword").GetString());
        Assert.DoesNotContain(password, json + errors);
    }

    [Fact]
    public async Task Without_a_passphrase_a_generated_one_is_kept_owner_readable_and_named()
    {
        _env.Remove("PULUMI_CONFIG_PASSPHRASE");

        var (code, _, error) = await Run("up", "--stack", "local", "--yes");

        var file = Path.Combine(_project, ".state", "local", PassphraseSource.GeneratedFile);
        Assert.Equal(0, code);
        Assert.Contains(file, error);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(0, (await Run("up", "--stack", "local", "--yes")).Code);
    }
}
