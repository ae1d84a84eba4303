using ScyllaApocryph.Infra.Cli;
using ScyllaApocryph.Tests.Infra;

namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>
/// The apocryph-local stack through the command line: up, refresh, a second up with no changes, destroy, against a
/// real chain and the provider and Kubo doubles. The stack file is the repository's, with only the chain's and
/// Kubo's loopback ports moved to the ones this test's devnet got.
/// </summary>
public sealed class ApocryphLocalStackTests : IDisposable
{
    private readonly string _project = Directory.CreateTempSubdirectory("apocryph-cli-").FullName;

    public void Dispose() => Directory.Delete(_project, true);

    [DevnetFact]
    public async Task Up_refresh_a_second_up_and_destroy_work_against_the_local_Apocryph()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var root = StackConfigTests.RepositoryRoot();
        File.Copy(Path.Combine(root, "Pulumi.yaml"), Path.Combine(_project, "Pulumi.yaml"));
        var stack = File.ReadAllText(Path.Combine(root, "Pulumi.apocryph-local.yaml"));
        Assert.Contains(lab.Chain.Payment, stack, StringComparison.OrdinalIgnoreCase); // the devnet's deployment addresses are deterministic
        File.WriteAllText(Path.Combine(_project, "Pulumi.apocryph-local.yaml"), stack
            .Replace("http://127.0.0.1:8545", lab.Chain.RpcUrl)
            .Replace("http://127.0.0.1:15001", lab.Kubo.ApiUrl.ToString().TrimEnd('/')));
        var env = new Dictionary<string, string> { ["PULUMI_CONFIG_PASSPHRASE"] = "test passphrase", ["APOCRYPH_WALLET_KEY"] = Devnet.PublisherKey };
        Environment.SetEnvironmentVariable("APOCRYPH_WALLET_KEY", Devnet.PublisherKey);
        try
        {
            var (up, upOut, upErr) = await Run(env, "up", "--stack", "apocryph-local", "--yes");
            Assert.True(up == 0, upOut + upErr);
            Assert.All(lab.Providers, p => Assert.Single(p.Pods));
            Assert.Equal(3, Directory.GetDirectories(lab.Manifests).Length); // one folder of received manifests per provider
            Assert.DoesNotContain(Devnet.PublisherKey[2..], upOut + upErr);
            // The nodes export shows what each provider answered (here, also the shard-aware TLS port).
            var (_, outputOut, _) = await Run(env, "stack", "output", "--stack", "apocryph-local", "--json");
            using (var doc = System.Text.Json.JsonDocument.Parse(outputOut))
            {
                var ports = doc.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("ports").GetString()).ToList();
                Assert.All(ports, p => Assert.Equal("30701/internode-tls 30942/cql-tls 30943/cql-tls-shard", p));
            }
            // Secret files went as cid + key (the default): the providers decrypted the node's TLS key, but no
            // received manifest and nothing in the state directory holds it in plaintext.
            Assert.All(lab.Providers, p => Assert.Contains(p.SecretFiles.Single().Value.Values, f => System.Text.Encoding.UTF8.GetString(f).Contains("PRIVATE KEY")));
            foreach (var file in Directory.GetFiles(lab.Manifests, "*", SearchOption.AllDirectories)
                         .Concat(Directory.GetFiles(_project, "*", SearchOption.AllDirectories)))
            {
                var text = File.ReadAllText(file);
                Assert.DoesNotContain("PRIVATE KEY", text);
                Assert.DoesNotContain(Convert.ToBase64String("-----BEGIN"u8)[..12], text);
            }

            var (refresh, refreshOut, refreshErr) = await Run(env, "refresh", "--stack", "apocryph-local", "--yes");
            Assert.True(refresh == 0, refreshOut + refreshErr);

            var (again, againOut, againErr) = await Run(env, "up", "--stack", "apocryph-local", "--yes");
            Assert.True(again == 0, againOut + againErr);
            Assert.DoesNotContain("created", againOut);
            Assert.Matches(@"Resources: \d+ unchanged", againOut);

            var (destroy, destroyOut, destroyErr) = await Run(env, "destroy", "--stack", "apocryph-local", "--yes");
            Assert.True(destroy == 0, destroyOut + destroyErr);
            Assert.All(lab.Providers, p => Assert.Empty(p.Pods));
        }
        finally
        {
            Environment.SetEnvironmentVariable("APOCRYPH_WALLET_KEY", null);
        }
    }

    private async Task<(int Code, string Out, string Err)> Run(Dictionary<string, string> env, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var cli = new CliEnvironment(stdout, stderr, new StringReader(""), _project, k => env.GetValueOrDefault(k), InputIsTerminal: false, OutputIsTerminal: false);
        var code = await new CliApp(cli) { Pbkdf2Iterations = 1000 }.RunAsync(args);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
