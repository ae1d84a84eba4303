using System.Diagnostics;
using ScyllaApocryph.Infra.Cli;
using ScyllaApocryph.Providers.Tls;
using ScyllaApocryph.Tests.Pki;
using ScyllaApocryph.Tests.Tls;

namespace ScyllaApocryph.Tests.Infra;

/// <summary>The security mode wired through the whole program: what `up` renders is usable as it is.</summary>
public sealed class SecurityWiringTests : IDisposable
{
    private readonly string _project = Directory.CreateTempSubdirectory("wiring-").FullName;

    public SecurityWiringTests() => File.Copy(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.yaml"), Path.Combine(_project, "Pulumi.yaml"));

    public void Dispose() => Directory.Delete(_project, true);

    private async Task Up(string stack)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var env = new CliEnvironment(stdout, stderr, new StringReader(""), _project, k => k == "PULUMI_CONFIG_PASSPHRASE" ? "p" : null, false, false);
        var code = await new CliApp(env) { Pbkdf2Iterations = 1000 }.RunAsync(["up", "--stack", stack, "--yes"]);
        Assert.True(code == 0, stdout + "\n" + stderr);
    }

    private string Node(string dc) => Path.Combine(_project, "out", "local", dc, $"scylla-local-{dc}-0");

    private TlsKeyPair KeyPair(string dc) => new(File.ReadAllText(Path.Combine(Node(dc), "etc", "scylla", "tls", "node.crt")), File.ReadAllText(Path.Combine(Node(dc), "etc", "scylla", "tls", "node.key")));

    [Fact]
    public async Task In_tls_mode_two_rendered_nodes_complete_mutual_tls_with_their_certificates()
    {
        await Up("local");

        var ca = new TlsKeyPair(File.ReadAllText(Path.Combine(Node("alpha"), "etc", "scylla", "tls", "ca.crt")), "");
        var outcome = await MutualTls.HandshakeAsync(ca, KeyPair("alpha"), KeyPair("beta"), "scylla-local-alpha-0");

        Assert.True(outcome.Completed, $"{outcome.ServerError?.Message} {outcome.ClientError?.Message}");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Node("alpha"), "etc", "scylla", "tls", "node.key")));
        Assert.Equal(File.ReadAllText(Path.Combine(Node("alpha"), "etc", "scylla", "tls", "ca.crt")), File.ReadAllText(Path.Combine(Node("gamma"), "etc", "scylla", "tls", "ca.crt")));
    }

    [Fact]
    public async Task With_a_membership_proof_each_node_carries_the_wallet_signature_over_its_certificate_key()
    {
        const string key = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
        var variable = "TEST_WALLET_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, key);
        try
        {
            var local = File.ReadAllText(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.local.yaml"));
            File.WriteAllText(Path.Combine(_project, "Pulumi.proof.yaml"), local.Replace("    keyspaces:", $"    membershipProof:\n      keyEnv: {variable}\n    keyspaces:"));

            await Up("proof");

            var application = ScyllaApocryph.Providers.Wallet.WalletKey.FromHex(key).Address;
            using var proof = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Node("beta"), "etc", "scylla", "tls", "membership-proof.json")));
            Assert.Equal(application, proof.RootElement.GetProperty("signer").GetString());
            var publicKey = Convert.ToHexStringLower(TlsIssuer.SubjectPublicKeyInfo(File.ReadAllText(Path.Combine(Node("beta"), "etc", "scylla", "tls", "node.crt"))));
            Assert.Contains(publicKey, proof.RootElement.GetProperty("message").GetString());
            var signature = ScyllaApocryph.Providers.Wallet.EthereumSignature.FromHex(proof.RootElement.GetProperty("signature").GetString())!;
            Assert.True(new ScyllaApocryph.Providers.Wallet.MembershipVerifier(application)
                .Verify(new ScyllaApocryph.Providers.Wallet.MembershipClaim("scylla-local", "tls", publicKey), signature));
            foreach (var file in Directory.GetFiles(Path.Combine(_project, ".state"), "*", SearchOption.AllDirectories))
                Assert.DoesNotContain(key, File.ReadAllText(file));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [NebulaCertFact]
    public async Task In_nebula_mode_every_rendered_node_config_passes_nebula_test_with_its_certificates()
    {
        var local = File.ReadAllText(Path.Combine(StackConfigTests.RepositoryRoot(), "Pulumi.local.yaml"));
        File.WriteAllText(Path.Combine(_project, "Pulumi.overlay.yaml"), local.Replace("security: tls", "security: nebula")
            .Replace("  scylla-apocryph:compose:\n    directory: out/local\n", "") // the one-host trial has no overlay
            .Replace("      kind: render\n", "      kind: render\n      publicHost: 127.0.0.1\n")); // where the NodePorts will be

        await Up("overlay");

        foreach (var dc in new[] { "alpha", "beta", "gamma" })
        {
            // The config names /etc/nebula/..., where the container mounts these files: point it at the rendered files.
            // Its static_host_map holds the providers' addresses as given, which Debian's nebula 1.6.1 loads as they are.
            var config = File.ReadAllText(Path.Combine(Node(dc), "etc", "nebula", "nebula.yaml"));
            Assert.Matches(@"- 127\.0\.0\.1:300\d\d", config);
            Assert.Matches(@"blocklist: \[(""[0-9a-f]{64}"",?)*\]|blocklist: \[\]", config);
            var local_ = Path.Combine(Node(dc), "nebula-local.yaml");
            File.WriteAllText(local_, config
                .Replace("/etc/nebula/ca.crt", Path.Combine(Node(dc), "etc", "nebula", "ca.crt"))
                .Replace("/etc/nebula/host.crt", Path.Combine(Node(dc), "etc", "nebula", "host.crt"))
                .Replace("/etc/nebula/host.key", Path.Combine(Node(dc), "etc", "nebula", "host.key")));
            using var nebula = Process.Start(new ProcessStartInfo("nebula", ["-test", "-config", local_]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var output = await nebula.StandardError.ReadToEndAsync() + await nebula.StandardOutput.ReadToEndAsync();
            Assert.True(nebula.WaitForExit(20_000));
            Assert.True(nebula.ExitCode == 0, $"{dc}: {output}");
        }
    }
}
