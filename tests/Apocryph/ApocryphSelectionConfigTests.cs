using ScyllaApocryph.Infra.Config;
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
}
