using ScyllaApocryph.Engine.State;
using ScyllaApocryph.Infra.Config;
using ScyllaApocryph.Infra.ProviderChoice;
using ScyllaApocryph.Providers.Apocryph.Registry;
using ScyllaApocryph.Tests.Infra;

namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>The select form of an Apocryph provider entry, as the stack loader reads and checks it.</summary>
public sealed class ApocryphSelectionConfigTests
{
    private static string StackFile(string stack) => File.ReadAllText(Path.Combine(StackConfigTests.RepositoryRoot(), $"Pulumi.{stack}.yaml"));

    private static IReadOnlyList<string> Errors(string yaml) =>
        Assert.Throws<ConfigException>(() => StackConfigLoader.Parse("scylla-apocryph", "s", "f", yaml)).Errors;

    [Fact]
    public void A_selection_is_read_with_every_filter()
    {
        var yaml = StackFile("apocryph-registry").Replace("        region: devnet-east-1", """
                    region: devnet-east-1
                    cpuModel: EPYC
                    maxPrice:
                      ram: 3
                      bandwidthIngress: "0"
            """);

        var spec = StackConfigLoader.Parse("scylla-apocryph", "s", "f", yaml);
        var selection = ApocryphSelectionSettings.Of(spec.Providers.Single(p => p.Name == "second"))!;

        Assert.Equal("0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", selection.RegistryContract);
        Assert.Equal(new RegistryRegion("devnet", "east", 1), selection.Region);
        Assert.Equal("EPYC", selection.CpuModel);
        Assert.Null(selection.TeeType);
        Assert.Equal(new PriceLimits(Ram: 3, BandwidthIngress: 0), selection.MaxPrices);
        Assert.Null(spec.Providers.Single(p => p.Name == "second").Setting("ethAddress"));
    }

    [Fact]
    public void A_given_provider_setting_next_to_select_is_refused_by_its_key()
    {
        var yaml = StackFile("apocryph-registry").Replace("    second:\n      kind: apocryph\n",
            "    second:\n      kind: apocryph\n      ethAddress: \"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\"\n      publicHost: 127.0.0.1\n");

        var errors = Errors(yaml);

        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:providers.second.ethAddress: cannot be given together with select", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:providers.second.publicHost: cannot be given together with select", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_filters_are_named_by_their_keys()
    {
        var yaml = StackFile("apocryph-registry")
            .Replace("registryContract: \"0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9\"\n        region", "registryContract: registry\n        region")
            .Replace("cpu: \"5000\"", "cpu: 5k\n          gpu: \"1\"")
            .Replace("teeType: SEV-SNP", "teeType: SEV-SNP\n        regions: x");

        var errors = Errors(yaml);

        Assert.Contains("scylla-apocryph:providers.second.select.registryContract: must be an Ethereum address (0x and 40 hex digits), got 'registry'", errors);
        Assert.Contains("scylla-apocryph:providers.first.select.maxPrice.cpu: must be a whole number of the payment token's smallest unit per unit and second, got '5k'", errors);
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:providers.first.select.maxPrice.gpu: unknown key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:providers.third.select.regions: unknown key", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_select_the_provider_must_still_be_given()
    {
        var yaml = StackFile("apocryph-local").Replace("      ethAddress: \"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\"\n", "");

        Assert.Contains("scylla-apocryph:providers.alpha.ethAddress: is required (a string)", Errors(yaml));
    }

    [Fact]
    public void Select_is_only_known_on_Apocryph_entries()
    {
        var yaml = StackFile("apocryph-registry").Replace("    first:\n      kind: apocryph\n", "    first:\n      kind: render\n      directory: out/first\n");

        Assert.Contains(Errors(yaml), e => e.StartsWith("scylla-apocryph:providers.first.select: unknown key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_recorded_choice_the_Pulumi_path_refuses_a_selection_and_with_one_it_uses_it()
    {
        var project = Directory.CreateTempSubdirectory("choices-").FullName;
        try
        {
            var spec = StackConfigLoader.Parse("scylla-apocryph", "reg", "f", StackFile("apocryph-registry"));
            var refused = await Assert.ThrowsAsync<ConfigException>(() => ProviderChoices.RecordedOnlyAsync(spec, () => project, "reg", default));
            Assert.Contains("scylla-apocryph:providers.first.select: no provider is recorded for this selection yet; run `scylla-apocryph provider choose --stack reg`", refused.Errors[0]);

            var recorded = new RecordedChoice("0x90F79bf6EB2c4f870365E785982E1f101E93b906", "12D3KooWPeer", "203.0.113.9", "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", "#3", "1");
            ChoiceFile.Save(Path.Combine(project, ".state", "reg"), new Dictionary<string, RecordedChoice> { ["first"] = recorded, ["second"] = recorded with { EthAddress = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" }, ["third"] = recorded with { EthAddress = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" } });
            var resolved = await ProviderChoices.RecordedOnlyAsync(spec, () => project, "reg", default);

            var first = resolved.Providers.Single(p => p.Name == "first");
            Assert.Equal(("0x90F79bf6EB2c4f870365E785982E1f101E93b906", "12D3KooWPeer", "203.0.113.9"), (first.Setting("ethAddress"), first.Setting("providerId"), first.Setting("publicHost")));
        }
        finally
        {
            Directory.Delete(project, true);
        }
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"first\": {\"ethAddress\": \"\"}}")]
    public async Task A_damaged_choice_file_is_a_clear_error_and_stays_as_it_is(string text)
    {
        var project = Directory.CreateTempSubdirectory("choices-").FullName;
        try
        {
            var dir = Path.Combine(project, ".state", "reg");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, ChoiceFile.FileName), text);
            var spec = StackConfigLoader.Parse("scylla-apocryph", "reg", "f", StackFile("apocryph-registry"));

            var e = await Assert.ThrowsAsync<StateDamagedException>(() => new ProviderChoices(dir, "reg").ResolveAsync(spec, ChoiceMode.Plan, default));

            Assert.Contains("apocryph-providers.json is damaged", e.Message);
            Assert.Equal(text, File.ReadAllText(Path.Combine(dir, ChoiceFile.FileName)));
        }
        finally
        {
            Directory.Delete(project, true);
        }
    }

    [Fact]
    public async Task An_edited_choice_file_whose_host_is_not_a_host_is_refused()
    {
        var project = Directory.CreateTempSubdirectory("choices-").FullName;
        try
        {
            var dir = Path.Combine(project, ".state", "reg");
            ChoiceFile.Save(dir, new Dictionary<string, RecordedChoice>
            {
                ["first"] = new("0x90F79bf6EB2c4f870365E785982E1f101E93b906", "12D3KooWPeer", "evil host; rm", "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", "#3", "1"),
            });
            var spec = StackConfigLoader.Parse("scylla-apocryph", "reg", "f", StackFile("apocryph-registry"));

            var e = await Assert.ThrowsAsync<ConfigException>(() => new ProviderChoices(dir, "reg").ResolveAsync(spec, ChoiceMode.Recorded, default));

            Assert.Contains("the choice of 'first' has publicHost 'evil host; rm' is not a host name or IP address", e.Errors[0]);
        }
        finally
        {
            Directory.Delete(project, true);
        }
    }

    [Fact]
    public async Task A_recorded_choice_that_a_given_entry_also_names_is_refused()
    {
        var project = Directory.CreateTempSubdirectory("choices-").FullName;
        try
        {
            var dir = Path.Combine(project, ".state", "reg");
            ChoiceFile.Save(dir, new Dictionary<string, RecordedChoice>
            {
                ["first"] = new("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "12D3KooWPeer", "203.0.113.9", "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", "#1", "1"),
            });
            var yaml = StackFile("apocryph-registry").Replace("""
                      select:
                        registryContract: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"
                        teeType: SEV-SNP
                """, """
                      ethAddress: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
                      providerId: 12D3KooWDevnetProviderAlpha
                      publicHost: 127.0.0.1
                """);
            var spec = StackConfigLoader.Parse("scylla-apocryph", "reg", "f", yaml);

            var e = await Assert.ThrowsAsync<ConfigException>(() => new ProviderChoices(dir, "reg").ResolveAsync(spec, ChoiceMode.Recorded, default));

            Assert.StartsWith("scylla-apocryph:providers.third: entries 'first' and 'third' use the same provider", e.Errors[0]);
        }
        finally
        {
            Directory.Delete(project, true);
        }
    }
}
