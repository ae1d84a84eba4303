using System.Text;
using ScyllaApocryph.Providers.Wallet;
using ScyllaApocryph.Tests.Pki;

namespace ScyllaApocryph.Tests.Wallet;

/// <summary>The C# signer and verifier agree with ethers both ways, on the exact membership message.</summary>
public sealed class EthersCrossCheckTests
{
    private static readonly MembershipClaim Claim = new("prod", "tls",
        "3059301306072a8648ce3d020106082a8648ce3d03010703420004aabbccddeeff00112233445566778899");

    [EthersFact]
    public void SignedInCSharp_VerifiedByEthers()
    {
        var key = WalletKey.FromHex(WalletSignatureTests.TestKey);
        var signature = EthereumSignature.ToHex(Claim.Sign(key));
        var answer = EthersProcess.Call(new { op = "verify", message = Claim.Message, signature });
        Assert.Equal(WalletSignatureTests.TestAddress, answer.GetProperty("address").GetString());
        Assert.Equal("0x" + Convert.ToHexStringLower(EthereumSignature.PersonalMessageHash(Claim.MessageBytes)), answer.GetProperty("hash").GetString());
    }

    [EthersFact]
    public void SignedByEthers_VerifiedInCSharp_AndByteIdentical()
    {
        // A fresh key each run, so the check does not rest on one fixed vector.
        var keyHex = "0x" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var answer = EthersProcess.Call(new { op = "sign", message = Claim.Message }, keyHex);
        var address = answer.GetProperty("address").GetString()!;
        var signature = EthereumSignature.FromHex(answer.GetProperty("signature").GetString())!;

        Assert.Equal(address, WalletKey.FromHex(keyHex).Address);
        Assert.True(new MembershipVerifier(address).Verify(Claim, signature));
        Assert.False(new MembershipVerifier(WalletSignatureTests.TestAddress).Verify(Claim, signature));
        // Both use RFC 6979 deterministic k with low s: the signatures are the same bytes.
        Assert.Equal(Convert.ToHexStringLower(signature), Convert.ToHexStringLower(Claim.Sign(WalletKey.FromHex(keyHex))));
    }

    [EthersFact]
    public void TamperedMessage_RecoversAnotherAddressInBoth()
    {
        var key = WalletKey.FromHex(WalletSignatureTests.TestKey);
        var signature = EthereumSignature.ToHex(Claim.Sign(key));
        var tampered = Claim with { Cluster = "other" };
        var answer = EthersProcess.Call(new { op = "verify", message = tampered.Message, signature });
        Assert.NotEqual(WalletSignatureTests.TestAddress, answer.GetProperty("address").GetString());
        Assert.Equal(answer.GetProperty("address").GetString(), MembershipVerifier.Signer(tampered, EthereumSignature.FromHex(signature)!));
        Assert.Equal(Encoding.UTF8.GetBytes(tampered.Message), tampered.MessageBytes);
    }
}
