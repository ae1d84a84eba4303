using System.Text.Json;
using ScyllaApocryph.Infra.Cli;
using ScyllaApocryph.Infra.ProviderChoice;
using ScyllaApocryph.Providers.Apocryph.Registry;
using ScyllaApocryph.Providers.Wallet;
using ScyllaApocryph.Tests.Doubles;
using ScyllaApocryph.Tests.Infra;

namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>
/// Choosing providers from the Registry through the command line, against anvil with this project's Registry and the
/// devnet's three registered providers (gamma cheapest, then beta, then alpha; alpha and beta in devnet-east-1; alpha
/// and gamma with AMD SEV-SNP). The stack is the repository's Pulumi.apocryph-registry.yaml with only the chain's and
/// Kubo's loopback ports moved.
/// </summary>
public sealed class RegistryChoiceTests : IDisposable
{
    private const string Stack = "apocryph-registry";
    private readonly string _project = Directory.CreateTempSubdirectory("apocryph-registry-").FullName;
    private readonly Dictionary<string, string> _env = new() { ["PULUMI_CONFIG_PASSPHRASE"] = "test passphrase", ["APOCRYPH_WALLET_KEY"] = Devnet.PublisherKey };

    public void Dispose() => Directory.Delete(_project, true);

    private static string Alpha => WalletKey.FromHex(Devnet.ProviderKeys[0]).Address;
    private static string Beta => WalletKey.FromHex(Devnet.ProviderKeys[1]).Address;
    private static string Gamma => WalletKey.FromHex(Devnet.ProviderKeys[2]).Address;
    private string ChoiceFilePath => Path.Combine(_project, ".state", Stack, ChoiceFile.FileName);

    private void WriteStack(RegistryLab lab, Func<string, string>? edit = null)
    {
        var root = StackConfigTests.RepositoryRoot();
        File.Copy(Path.Combine(root, "Pulumi.yaml"), Path.Combine(_project, "Pulumi.yaml"), overwrite: true);
        var stack = File.ReadAllText(Path.Combine(root, $"Pulumi.{Stack}.yaml"));
        Assert.Contains(lab.Registry, stack, StringComparison.OrdinalIgnoreCase); // the devnet's addresses are deterministic
        stack = stack.Replace("http://127.0.0.1:8545", lab.Chain.RpcUrl).Replace("http://127.0.0.1:15001", lab.Kubo.ApiUrl.ToString().TrimEnd('/'));
        File.WriteAllText(Path.Combine(_project, $"Pulumi.{Stack}.yaml"), edit is null ? stack : edit(stack));
    }

    private Dictionary<string, string> Recorded() =>
        JsonSerializer.Deserialize<Dictionary<string, RecordedChoice>>(File.ReadAllText(ChoiceFilePath), new JsonSerializerOptions(JsonSerializerDefaults.Web))!
            .ToDictionary(c => c.Key, c => c.Value.EthAddress);

    [DevnetFact]
    public async Task Preview_records_nothing_and_provider_choose_records_the_cheapest_match_per_entry_each_on_its_own_provider()
    {
        await using var lab = await RegistryLab.StartAsync();
        WriteStack(lab);

        var (preview, previewOut, previewErr) = await Run("preview", "--stack", Stack);
        Assert.True(preview == 0, previewOut + previewErr);
        Assert.Contains($"providers.first: the Registry's best match is {Gamma}", previewErr);
        Assert.Contains("preview records no provider choice", previewErr);
        Assert.False(File.Exists(ChoiceFilePath));

        var (choose, chooseOut, chooseErr) = await Run("provider", "choose", "--stack", Stack);
        Assert.True(choose == 0, chooseOut + chooseErr);
        // first: any price -> gamma (cheapest); second: devnet-east-1 -> beta; third: SEV-SNP, gamma taken -> alpha.
        Assert.Equal(new Dictionary<string, string> { ["first"] = Gamma, ["second"] = Beta, ["third"] = Alpha }, Recorded());
        Assert.Contains($"first: recorded {Gamma} (peer {Devnet.ProviderPeerIds[2]}, host 127.0.0.1", chooseOut);

        var (again, againOut, againErr) = await Run("provider", "choose", "--stack", Stack);
        Assert.True(again == 0, againOut + againErr);
        Assert.Contains("every Registry choice is recorded already; nothing changed", againOut);
    }

    [DevnetFact]
    public async Task A_cheaper_provider_registering_later_moves_nothing_until_provider_choose_move()
    {
        await using var lab = await RegistryLab.StartAsync();
        WriteStack(lab);
        Assert.Equal(0, (await Run("provider", "choose", "--stack", Stack)).Code);
        var before = File.ReadAllText(ChoiceFilePath);
        var late = new DevnetOffer(RegistryLab.LateProviderKey, "12D3KooWDevnetProviderDelta", "127.0.0.1", "devnet-west-1",
            new ResourcePrices(10, 2, 1, 5, 5), "AMD EPYC 9654", "AMD SEV-SNP");
        await lab.RegisterAsync(late);
        var delta = WalletKey.FromHex(RegistryLab.LateProviderKey).Address;

        var (preview, previewOut, previewErr) = await Run("preview", "--stack", Stack);
        Assert.True(preview == 0, previewOut + previewErr);
        Assert.Contains($"providers.first: keeps {Gamma}", previewErr);
        Assert.Contains($"the Registry's best match is now {delta}", previewErr);
        Assert.Contains($"provider choose --stack {Stack} --move first", previewErr);
        var (choose, chooseOut, chooseErr) = await Run("provider", "choose", "--stack", Stack);
        Assert.True(choose == 0, chooseOut + chooseErr);
        Assert.Equal(before, File.ReadAllText(ChoiceFilePath));

        var (move, moveOut, moveErr) = await Run("provider", "choose", "--stack", Stack, "--move", "first");
        Assert.True(move == 0, moveOut + moveErr);
        Assert.Contains($"providers.first: moves from {Gamma}", moveErr);
        Assert.Equal(new Dictionary<string, string> { ["first"] = delta, ["second"] = Beta, ["third"] = Alpha }, Recorded());
    }

    [DevnetFact]
    public async Task Up_records_its_choices_before_it_deploys_to_the_chosen_providers()
    {
        await using var lab = await RegistryLab.StartAsync();
        WriteStack(lab);

        var (up, upOut, upErr) = await Run("up", "--stack", Stack, "--yes");

        Assert.True(up == 0, upOut + upErr);
        Assert.Contains("first: recorded", upErr);
        Assert.Equal(new Dictionary<string, string> { ["first"] = Gamma, ["second"] = Beta, ["third"] = Alpha }, Recorded());
        // Each provider double runs the pod of the entry that chose it: gamma first's node, beta second's, alpha third's.
        var publisher = WalletKey.FromHex(Devnet.PublisherKey).Address;
        string NamespaceOf(string dc) =>
            Providers.Apocryph.ApocryphNames.Namespace(publisher, Providers.Apocryph.ApocryphNames.PodId("scylla-apocryph", Stack, $"scylla-apocryph-registry-{dc}-0"));
        Assert.Equal([NamespaceOf("third"), NamespaceOf("second"), NamespaceOf("first")], lab.Lab.Providers.Select(p => Assert.Single(p.Pods).Key));

        // A cheaper provider elsewhere: moving the deployed node there would change its address, which ScyllaDB never
        // allows for a node's identity, so the move is refused and the recorded choice stays.
        var before = File.ReadAllText(ChoiceFilePath);
        await lab.RegisterAsync(new DevnetOffer(RegistryLab.LateProviderKey, "12D3KooWDevnetProviderDelta", "127.0.0.2", "devnet-west-1",
            new ResourcePrices(10, 2, 1, 5, 5), "AMD EPYC 9654", "AMD SEV-SNP"));
        var (move, moveOut, moveErr) = await Run("provider", "choose", "--stack", Stack, "--move", "first");
        Assert.True(move == 2, moveOut + moveErr);
        Assert.Contains("belong to its identity", moveErr);
        Assert.Equal(before, File.ReadAllText(ChoiceFilePath));

        var (destroy, destroyOut, destroyErr) = await Run("destroy", "--stack", Stack, "--yes");
        Assert.True(destroy == 0, destroyOut + destroyErr);
        Assert.All(lab.Lab.Providers, p => Assert.Empty(p.Pods));
    }

    [DevnetFact]
    public async Task A_selection_nothing_matches_fails_clearly_and_records_nothing()
    {
        await using var lab = await RegistryLab.StartAsync();
        WriteStack(lab, s => s.Replace("region: devnet-east-1", "region: devnet-north-1"));

        var (code, stdout, stderr) = await Run("provider", "choose", "--stack", Stack);

        Assert.True(code == 1, stdout + stderr);
        Assert.Contains("scylla-apocryph:providers.second.select: no provider in the Registry", stderr);
        Assert.Contains("not in region devnet-north-1", stderr);
        Assert.False(File.Exists(ChoiceFilePath));
    }

    [DevnetFact]
    public async Task Bad_filters_and_a_bad_move_are_bad_input_named_by_key_and_change_nothing()
    {
        await using var lab = await RegistryLab.StartAsync();
        WriteStack(lab, s => s.Replace("region: devnet-east-1", "region: east").Replace("cpu: \"5000\"", "cpu: \"-1\"")
            .Replace("teeType: SEV-SNP", "teeType: SEV-SNP\n        ethAddress: \"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\""));

        var (code, _, stderr) = await Run("preview", "--stack", Stack);

        Assert.Equal(2, code);
        Assert.Contains("scylla-apocryph:providers.second.select.region: must be name-zone-number like bul-east-1, got 'east'", stderr);
        Assert.Contains("scylla-apocryph:providers.first.select.maxPrice.cpu: must be a whole number", stderr);
        Assert.Contains("scylla-apocryph:providers.third.select.ethAddress: unknown key", stderr);

        WriteStack(lab);
        var (move, _, moveErr) = await Run("provider", "choose", "--stack", Stack, "--move", "fourth");
        Assert.Equal(2, move);
        Assert.Contains("--move: 'fourth' is not an Apocryph provider entry with select in stack apocryph-registry (entries with select: first, second, third)", moveErr);
        Assert.False(Directory.Exists(Path.Combine(_project, ".state")));
    }

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var cli = new CliEnvironment(stdout, stderr, new StringReader(""), _project, k => _env.GetValueOrDefault(k), InputIsTerminal: false, OutputIsTerminal: false);
        Environment.SetEnvironmentVariable("APOCRYPH_WALLET_KEY", Devnet.PublisherKey);
        try
        {
            var code = await new CliApp(cli) { Pbkdf2Iterations = 1000 }.RunAsync(args);
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("APOCRYPH_WALLET_KEY", null);
        }
    }
}
