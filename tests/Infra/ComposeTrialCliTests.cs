using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ScyllaApocryph.Infra.Cli;

namespace ScyllaApocryph.Tests.Infra;

/// <summary>`up --stack local` leaves a one-host trial that can be started, connected to and stopped as it says.</summary>
public sealed class ComposeTrialCliTests : IDisposable
{
    private readonly string _project = Directory.CreateTempSubdirectory("trial-").FullName;

    public ComposeTrialCliTests() => File.Copy(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.yaml"), Path.Combine(_project, "Pulumi.yaml"));

    public void Dispose() => Directory.Delete(_project, true);

    private string OutLocal => Path.Combine(_project, "out", "local");

    private async Task<(int Code, string Out)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var env = new CliEnvironment(stdout, new StringWriter(), new StringReader(""), _project,
            k => k == "PULUMI_CONFIG_PASSPHRASE" ? "trial passphrase" : null, InputIsTerminal: false, OutputIsTerminal: false);
        var code = await new CliApp(env) { Pbkdf2Iterations = 1000 }.RunAsync(args);
        return (code, stdout.ToString());
    }

    [Fact]
    public async Task Up_prints_where_the_trial_is_and_the_commands_to_start_connect_and_stop_it()
    {
        var (code, output) = await Run("up", "--stack", "local", "--yes");

        Assert.Equal(0, code);
        Assert.Contains($"The one-host trial is in {OutLocal} ", output);
        Assert.Contains($"start:    cd {OutLocal} && docker compose up -d", output);
        Assert.Contains($"connect:  cd {OutLocal} && docker compose run --rm cqlsh", output);
        Assert.Contains($"stop:     cd {OutLocal} && docker compose down", output);
        var summary = File.ReadAllText(Path.Combine(OutLocal, "summary.md"));
        Assert.Contains("start:    docker compose up -d", summary);
    }

    [Fact]
    public async Task Every_node_certificate_verifies_for_its_name_and_its_host_address_and_the_client_files_are_private()
    {
        Assert.Equal(0, (await Run("up", "--stack", "local", "--yes")).Code);

        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(OutLocal, "ca.crt")));
        var expected = new Dictionary<string, string> { ["alpha"] = "127.0.1.1", ["beta"] = "127.0.2.1", ["gamma"] = "127.0.3.1" };
        var compose = File.ReadAllText(Path.Combine(OutLocal, "docker-compose.yaml"));
        foreach (var (dc, address) in expected)
        {
            var name = $"scylla-local-{dc}-0";
            var node = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(OutLocal, dc, name, "etc", "scylla", "tls", "node.crt")));
            Assert.True(node.MatchesHostname(name), $"{name}'s certificate does not name {name}");
            Assert.True(node.MatchesHostname(address), $"{name}'s certificate does not name {address}");
            Assert.True(Chains(node, ca));
            Assert.Contains($"{address}:30942:30942", compose);
            Assert.Contains($"{address}:30943:30943", compose);
        }
        var client = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(OutLocal, "client.crt")));
        Assert.True(Chains(client, ca));
        foreach (var secret in new[] { "client.key", "cqlshrc" })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(OutLocal, secret)));

        // The cqlshrc logs in with the password the stack generated.
        var (_, shown) = await Run("stack", "output", "--stack", "local", "--json", "--show-secrets");
        var password = JsonDocument.Parse(shown).RootElement.GetProperty("superuserPassword").GetString();
        Assert.Contains($"password = {password}\n", File.ReadAllText(Path.Combine(OutLocal, "cqlshrc")));
    }

    [Fact]
    public async Task A_file_rewritten_by_up_appears_in_the_folder_the_compose_file_mounts_which_keeps_its_identity()
    {
        Assert.Equal(0, (await Run("up", "--stack", "local", "--yes")).Code);
        var node = Path.Combine(OutLocal, "alpha", "scylla-local-alpha-0");
        var tls = Path.Combine(node, "etc", "scylla", "tls");
        var certificate = Path.Combine(tls, "node.crt");
        // Every bind mount's source exists; the TLS files come as their folder, not one by one.
        var compose = File.ReadAllText(Path.Combine(OutLocal, "docker-compose.yaml"));
        Assert.Contains("./alpha/scylla-local-alpha-0/etc/scylla/tls:/etc/scylla/tls:ro", compose);
        Assert.DoesNotContain("node.crt:", compose);
        foreach (var source in System.Text.RegularExpressions.Regex.Matches(compose, @"- (\./[^:]+):").Select(m => m.Groups[1].Value))
            Assert.True(Path.Exists(Path.Combine(OutLocal, source)), $"{source} is mounted but was not rendered");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(tls, "node.key")));

        // A renewed certificate is written the same way as a repaired one: a new file renamed over the old.
        var wanted = File.ReadAllText(certificate);
        var (folder, file) = (Inode(tls), Inode(certificate));
        File.WriteAllText(certificate, "tampered\n");
        Assert.Equal(0, (await Run("up", "--stack", "local", "--yes")).Code);

        Assert.Equal(wanted, File.ReadAllText(certificate));
        Assert.NotEqual(file, Inode(certificate)); // a single-file bind mount would still show the old inode
        Assert.Equal(folder, Inode(tls)); // the folder a directory bind mount holds is the same one, with the new file
    }

    private static string Inode(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%d:%i", path]) { RedirectStandardOutput = true })!;
        var output = stat.StandardOutput.ReadToEnd().Trim();
        Assert.True(stat.WaitForExit(10_000) && stat.ExitCode == 0, $"stat {path} failed");
        return output;
    }

    private static bool Chains(X509Certificate2 leaf, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
