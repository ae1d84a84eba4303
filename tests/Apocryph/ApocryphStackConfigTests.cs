using ScyllaApocryph.Components.Cluster;
using ScyllaApocryph.Infra.Config;
using ScyllaApocryph.Tests.Infra;

namespace ScyllaApocryph.Tests.Apocryph;

public sealed class ApocryphStackConfigTests
{
    private static string StackFile(string stack) => File.ReadAllText(Path.Combine(StackConfigTests.RepositoryRoot(), $"Pulumi.{stack}.yaml"));

    [Theory]
    [InlineData("apocryph-local")]
    [InlineData("staging")]
    public void The_Apocryph_example_stacks_parse_with_three_Apocryph_providers(string stack)
    {
        var spec = StackConfigLoader.Parse("scylla-apocryph", stack, $"Pulumi.{stack}.yaml", StackFile(stack));

        Assert.Equal(3, spec.Providers.Count(p => p.Kind == ProviderKind.Apocryph));
        Assert.Equal(SecurityMode.Tls, spec.Cluster.Security);
    }

    [Fact]
    public void A_bad_Apocryph_setting_is_named_by_its_key()
    {
        var yaml = StackFile("apocryph-local")
            .Replace("rpcUrl: http://127.0.0.1:8545", "rpcUrl: not a url")
            .Replace("funds: \"1000000000000000000\"", "funds: \"-5\"")
            .Replace("walletKeyEnv: APOCRYPH_WALLET_KEY", "walletKeyEnv: \"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\"")
            .Replace("kuboApi: http://127.0.0.1:15001", "kuboApi: http://127.0.0.1:15001\n      secrets: plain");

        var errors = Assert.Throws<ConfigException>(() => StackConfigLoader.Parse("scylla-apocryph", "apocryph-local", "f", yaml)).Errors;

        Assert.Contains("scylla-apocryph:providers.alpha.rpcUrl: must be an absolute http(s) URL, got 'not a url'", errors);
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:providers.beta.funds: must be a positive whole number", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:providers.gamma.walletKeyEnv: holds what looks like a private key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("scylla-apocryph:providers.alpha.secrets: must be ipfs", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("ac0974bec39a17e36ba4a6b4d238ff944", StringComparison.Ordinal));
    }
}
