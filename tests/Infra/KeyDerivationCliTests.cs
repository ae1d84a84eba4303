using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Infra.Cli;

namespace ScyllaApocryph.Tests.Infra;

/// <summary>
/// How often the command line derives the passphrase key (PBKDF2), counted through <see cref="CliApp.KeyDerivation"/>:
/// never to print outputs with their secrets hidden, at most once for any command.
/// </summary>
public sealed class KeyDerivationCliTests : IDisposable
{
    private readonly string _project = Directory.CreateTempSubdirectory("cli-kdf-").FullName;
    private readonly Dictionary<string, string> _env = new() { ["PULUMI_CONFIG_PASSPHRASE"] = "test passphrase" };
    private int _derivations;

    public KeyDerivationCliTests() => File.Copy(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.yaml"), Path.Combine(_project, "Pulumi.yaml"));

    public void Dispose() => Directory.Delete(_project, true);

    /// <returns>The exit code, standard output, and how many keys the run derived.</returns>
    private async Task<(int Code, string Out, int Derivations)> Run(params string[] args)
    {
        _derivations = 0;
        var stdout = new StringWriter();
        var env = new CliEnvironment(stdout, new StringWriter(), new StringReader(""), _project, k => _env.GetValueOrDefault(k), false, false);
        var code = await new CliApp(env)
        {
            Pbkdf2Iterations = 1000,
            KeyDerivation = (passphrase, salt, iterations) =>
            {
                Interlocked.Increment(ref _derivations);
                return PassphraseCipher.Pbkdf2(passphrase, salt, iterations);
            },
        }.RunAsync(args);
        return (code, stdout.ToString(), _derivations);
    }

    [Fact]
    public async Task Stack_output_without_show_secrets_derives_no_key_and_with_it_derives_one()
    {
        Assert.Equal(0, (await Run("up", "--stack", "local", "--yes")).Code);

        var hidden = await Run("stack", "output", "--stack", "local");
        var hiddenJson = await Run("stack", "output", "--stack", "local", "--json");
        var shown = await Run("stack", "output", "--stack", "local", "--json", "--show-secrets");

        Assert.Equal((0, 0), (hidden.Code, hidden.Derivations));
        Assert.Contains("superuserPassword: [secret]", hidden.Out);
        Assert.Equal((0, 0), (hiddenJson.Code, hiddenJson.Derivations));
        Assert.Equal((0, 1), (shown.Code, shown.Derivations));
        Assert.DoesNotContain("[secret]", shown.Out);
    }

    [Fact]
    public async Task Every_command_on_a_stack_with_secrets_derives_the_key_at_most_once()
    {
        var first = await Run("up", "--stack", "local", "--yes");
        Assert.Equal((0, 1), (first.Code, first.Derivations)); // creating the stack's salt and check value

        foreach (var command in new[] { new[] { "preview" }, ["up", "--yes"], ["refresh", "--yes"], ["up", "--yes"] })
        {
            var run = await Run([.. command, "--stack", "local"]);
            Assert.Equal(0, run.Code);
            Assert.InRange(run.Derivations, 0, 1);
        }
    }

    [Fact]
    public async Task A_wrong_passphrase_still_exits_2_from_a_preview_that_needs_a_secret()
    {
        Assert.Equal(0, (await Run("up", "--stack", "local", "--yes")).Code);
        _env["PULUMI_CONFIG_PASSPHRASE"] = "another passphrase";

        // The render provider compares each file on disk with its wanted content, which embeds secrets.
        var preview = await Run("preview", "--stack", "local");

        Assert.Equal((2, 1), (preview.Code, preview.Derivations));
    }

    [Fact]
    public async Task A_preview_of_a_new_stack_derives_no_key()
    {
        var run = await Run("preview", "--stack", "local");

        Assert.Equal((0, 0), (run.Code, run.Derivations));
    }
}
