using ScyllaApocryph.Engine.Providers;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Tests.Wallet;

public sealed class MembershipProofProviderTests
{
    private static readonly Urn Urn = Urn.Create("test", "pki", null, MembershipProofProvider.Type, "proof");

    private static PropertyMap Inputs(string env) => PropertyMap.Of(
        ("cluster", "prod"), ("kind", "nebula"), ("publicKey", "89f3ebb537a867073ffc2a7b99cb20164b05164120e7ed8e016ef53384fd121c"), ("keyEnv", env));

    [Fact]
    public async Task Check_RefusesAWalletKeyWrittenIntoTheStack_WithoutEchoingIt()
    {
        var news = Inputs("X").With("privateKey", WalletSignatureTests.TestKey);
        var check = await new MembershipProofProvider().CheckAsync(new CheckRequest(Urn, MembershipProofProvider.Type, PropertyMap.Empty, news), default);
        var failure = Assert.Single(check.Failures);
        Assert.Equal("privateKey", failure.Property);
        Assert.DoesNotContain(WalletSignatureTests.TestKey[2..10], failure.Reason);
    }

    [Theory]
    [InlineData("keyEnv")]
    [InlineData("keyFile")]
    public async Task Check_RefusesAKeyPastedWhereTheVariableOrFileNameBelongs_WithoutEchoingIt(string where)
    {
        var news = PropertyMap.Of(("cluster", "prod"), ("kind", "nebula"), ("publicKey", "89f3"), (where, WalletSignatureTests.TestKey[2..]));

        var check = await new MembershipProofProvider().CheckAsync(new CheckRequest(Urn, MembershipProofProvider.Type, PropertyMap.Empty, news), default);

        var failure = Assert.Single(check.Failures);
        Assert.Equal(where, failure.Property);
        Assert.Contains("looks like a private key", failure.Reason);
        Assert.DoesNotContain(WalletSignatureTests.TestKey[2..10], failure.Reason);
    }

    [Fact]
    public void Loading_from_keyEnv_or_keyFile_never_repeats_their_value_in_the_error()
    {
        var pasted = Assert.Throws<InvalidOperationException>(() => WalletKey.FromEnvironment(WalletSignatureTests.TestKey));
        Assert.Contains("looks like a private key", pasted.Message);
        var pastedFile = Assert.Throws<InvalidOperationException>(() => WalletKey.FromFile(WalletSignatureTests.TestKey[2..]));
        Assert.Contains("looks like a private key", pastedFile.Message);
        var unset = Assert.Throws<InvalidOperationException>(() => WalletKey.FromEnvironment("SA_TEST_UNSET_" + Guid.NewGuid().ToString("N")));
        var missing = Assert.Throws<FileNotFoundException>(() => WalletKey.FromFile("/nonexistent/sa-test-wallet-key"));

        foreach (var message in new[] { pasted.Message, pastedFile.Message })
            Assert.DoesNotContain(WalletSignatureTests.TestKey[2..10], message);
        Assert.DoesNotContain("SA_TEST_UNSET_", unset.Message);
        Assert.DoesNotContain("sa-test-wallet-key", missing.Message);
    }

    [Fact]
    public async Task Create_SignsWithTheKeyFromTheEnvironment_AndReadVerifiesIt()
    {
        var env = "SA_TEST_WALLET_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(env, WalletSignatureTests.TestKey);
        try
        {
            var provider = new MembershipProofProvider();
            var inputs = Inputs(env).With("address", WalletSignatureTests.TestAddress.ToLowerInvariant());
            var check = await provider.CheckAsync(new CheckRequest(Urn, MembershipProofProvider.Type, PropertyMap.Empty, inputs), default);
            Assert.Empty(check.Failures);
            var created = await provider.CreateAsync(new CreateRequest(Urn, MembershipProofProvider.Type, check.Inputs), default);

            Assert.Equal(WalletSignatureTests.TestAddress, created.Outputs.GetString("signer"));
            Assert.DoesNotContain(created.Outputs.Values, v => v.AsString?.Contains(WalletSignatureTests.TestKey[2..], StringComparison.OrdinalIgnoreCase) == true);
            var claim = new MembershipClaim("prod", "nebula", inputs.GetString("publicKey")!);
            Assert.True(new MembershipVerifier(WalletSignatureTests.TestAddress).Verify(claim, EthereumSignature.FromHex(created.Outputs.GetString("signature"))!));

            var read = await provider.ReadAsync(new ReadRequest(Urn, MembershipProofProvider.Type, created.Id, check.Inputs, created.Outputs), default);
            Assert.NotNull(read);
            var forged = created.Outputs.With("signer", "0x000000000000000000000000000000000000dEaD");
            Assert.Null(await provider.ReadAsync(new ReadRequest(Urn, MembershipProofProvider.Type, created.Id, check.Inputs, forged), default));
        }
        finally
        {
            Environment.SetEnvironmentVariable(env, null);
        }
    }

    [Fact]
    public async Task Create_RefusesAKeyThatIsNotTheApplicationsAddress()
    {
        var env = "SA_TEST_WALLET_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(env, WalletSignatureTests.TestKey);
        try
        {
            var inputs = Inputs(env).With("address", "0x000000000000000000000000000000000000dEaD");
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                new MembershipProofProvider().CreateAsync(new CreateRequest(Urn, MembershipProofProvider.Type, inputs), default));
            Assert.Contains(WalletSignatureTests.TestAddress, e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(env, null);
        }
    }
}
