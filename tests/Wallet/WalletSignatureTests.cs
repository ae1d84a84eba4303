using CsCheck;
using System.Text;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Tests.Wallet;

public sealed class WalletSignatureTests
{
    // A widely published test key and its address (never a real wallet).
    internal const string TestKey = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    internal const string TestAddress = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";

    [Fact]
    public void KnownKey_HasItsKnownChecksummedAddress() =>
        Assert.Equal(TestAddress, WalletKey.FromHex(TestKey).Address);

    [Fact]
    public void Keccak256_OfEmptyInput_IsTheKnownValue() =>
        Assert.Equal("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", Convert.ToHexStringLower(EthereumSignature.Keccak256([])));

    [Fact]
    public void SignedClaim_RecoversTheSignerAndIsAcceptedForTheApplicationOnly()
    {
        var key = WalletKey.FromHex(TestKey);
        var claim = new MembershipClaim("prod", "nebula", "89f3ebb537a867073ffc2a7b99cb20164b05164120e7ed8e016ef53384fd121c");
        var signature = claim.Sign(key);

        Assert.Equal(65, signature.Length);
        Assert.Contains(signature[64], new byte[] { 27, 28 });
        Assert.Equal(TestAddress, MembershipVerifier.Signer(claim, signature));
        Assert.True(new MembershipVerifier(TestAddress.ToLowerInvariant()).Verify(claim, signature));
        Assert.False(new MembershipVerifier("0x000000000000000000000000000000000000dEaD").Verify(claim, signature));
    }

    [Fact]
    public void Signature_DoesNotCarryOverToAnotherKeyClusterOrKind()
    {
        var key = WalletKey.FromHex(TestKey);
        var verifier = new MembershipVerifier(key.Address);
        var claim = new MembershipClaim("prod", "tls", "3059301306072a8648ce3d0201");
        var signature = claim.Sign(key);
        Assert.False(verifier.Verify(claim with { PublicKeyHex = "3059301306072a8648ce3d0202" }, signature));
        Assert.False(verifier.Verify(claim with { Cluster = "staging" }, signature));
        Assert.False(verifier.Verify(claim with { Kind = "nebula" }, signature));
    }

    [Fact]
    public void RecoveryIdZeroOrOne_IsAcceptedLikeTwentySevenOrTwentyEight()
    {
        var key = WalletKey.FromHex(TestKey);
        var hash = EthereumSignature.PersonalMessageHash(Encoding.UTF8.GetBytes("x"));
        var signature = key.SignHash(hash);
        signature[64] -= 27;
        Assert.Equal(TestAddress, EthereumSignature.RecoverAddress(hash, signature));
    }

    [Fact]
    public void HighS_MalleatedSignature_IsRejected()
    {
        var key = WalletKey.FromHex(TestKey);
        var hash = EthereumSignature.PersonalMessageHash(Encoding.UTF8.GetBytes("x"));
        var signature = key.SignHash(hash);
        // (r, n - s, flipped v) is also a valid ECDSA signature; Ethereum refuses it and so do we.
        var n = Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("secp256k1").N;
        var s = new Org.BouncyCastle.Math.BigInteger(1, signature, 32, 32);
        var highS = n.Subtract(s).ToByteArrayUnsigned();
        var malleated = (byte[])signature.Clone();
        Array.Clear(malleated, 32, 32);
        highS.CopyTo(malleated, 64 - highS.Length);
        malleated[64] = (byte)(signature[64] == 27 ? 28 : 27);
        Assert.Null(EthereumSignature.RecoverAddress(hash, malleated));
    }

    [Fact]
    public void CsCheck_RandomKeysAndMessages_AlwaysRecoverTheirOwnAddress()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.String).Sample((seed, text) =>
        {
            seed[0] = (byte)(seed[0] % 0xF0 + 1); // stay inside 1..n-1
            var key = WalletKey.FromHex(Convert.ToHexString(seed));
            var claim = new MembershipClaim("c", "tls", "00");
            var message = Encoding.UTF8.GetBytes(text);
            var signature = key.SignPersonal(message);
            return EthereumSignature.RecoverAddress(EthereumSignature.PersonalMessageHash(message), signature) == key.Address
                && new MembershipVerifier(key.Address).Verify(claim, claim.Sign(key));
        }, iter: 40);
    }

    [Fact]
    public void KeyFromEnvironmentOrFile_GivesTheSameAddress_AndMissingSourcesSayWhichOne()
    {
        var name = "SA_TEST_WALLET_" + Guid.NewGuid().ToString("N")[..8];
        var file = Path.GetTempFileName();
        try
        {
            Environment.SetEnvironmentVariable(name, TestKey);
            File.WriteAllText(file, TestKey[2..] + "\n");
            Assert.Equal(TestAddress, WalletKey.FromEnvironment(name).Address);
            Assert.Equal(TestAddress, WalletKey.FromFile(file).Address);
            var missing = Assert.Throws<InvalidOperationException>(() => WalletKey.FromEnvironment(name + "_UNSET"));
            Assert.Contains("keyEnv", missing.Message);
            Assert.DoesNotContain(name, missing.Message); // the value of keyEnv is never repeated: it might be a pasted key
            var bad = Assert.Throws<FormatException>(() => WalletKey.FromHex("0x1234"));
            Assert.DoesNotContain("1234", bad.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
            File.Delete(file);
        }
    }

    [Fact]
    public void WalletKey_ToString_ShowsOnlyTheAddress() =>
        Assert.DoesNotContain(TestKey[2..12], WalletKey.FromHex(TestKey).ToString(), StringComparison.OrdinalIgnoreCase);
}
