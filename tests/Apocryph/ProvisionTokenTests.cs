using System.Text;
using System.Text.Json;
using ScyllaApocryph.Providers.Apocryph;
using ScyllaApocryph.Providers.Wallet;
using ScyllaApocryph.Tests.Doubles;
using ScyllaApocryph.Tests.Pki;
using ScyllaApocryph.Tests.Wallet;

namespace ScyllaApocryph.Tests.Apocryph;

public sealed class ProvisionTokenTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 3, 0, 0, TimeSpan.Zero);
    private static readonly WalletKey Key = WalletKey.FromHex(WalletSignatureTests.TestKey);
    private static readonly byte[] PodId = ApocryphNames.PodId("scylla-apocryph", "apocryph-local", "demo-alpha-0");

    private static ProvisionToken Token(string operation = ApocryphNames.ProvisionPod) => ProvisionToken.For(PodId, operation, Key.Address, Now);

    [Fact]
    public void The_token_is_Go_JSON_with_a_hash_a_procedure_an_RFC3339_time_and_a_lowercase_address()
    {
        var json = Encoding.UTF8.GetString(Token().JsonBytes());
        Assert.Equal("{\"PodId\":\"0x" + Convert.ToHexStringLower(PodId) + "\",\"Operation\":\"/apocryph.proto.v0.provisionPod.ProvisionPodService/ProvisionPod\"," +
                     "\"ExpirationTime\":\"2026-11-30T03:01:00Z\",\"Publisher\":\"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23\"}", json);
    }

    [Fact]
    public void A_signed_token_passes_the_providers_check_and_names_the_namespace()
    {
        var bearer = Token().Bearer(Key);
        var (token, code, message) = ProvisionTokenCheck.Authenticate(bearer, ApocryphNames.ProvisionPod, Now);

        Assert.True(code is null, message);
        Assert.Equal(PodId, token!.PodId);
        Assert.StartsWith("tpod-", token.Namespace);
        Assert.Equal(5 + 52, token.Namespace.Length); // 32 bytes in unpadded base32 are 52 characters
    }

    [Fact]
    public void The_provider_refuses_an_expired_token_another_procedure_a_27_or_28_recovery_id_and_a_tampered_body()
    {
        var bearer = Token().Bearer(Key);
        Assert.Equal("deadline_exceeded", ProvisionTokenCheck.Authenticate(bearer, ApocryphNames.ProvisionPod, Now.AddSeconds(61)).Code);
        Assert.Equal("unauthenticated", ProvisionTokenCheck.Authenticate(bearer, ApocryphNames.DeletePod, Now).Code);

        var parts = bearer["Bearer ".Length..].Split('.');
        var signature = Convert.FromBase64String(parts[1]);
        signature[64] += 27;
        Assert.NotNull(ProvisionTokenCheck.Authenticate($"Bearer {parts[0]}.{Convert.ToBase64String(signature)}", ApocryphNames.ProvisionPod, Now).Code);

        var other = ProvisionToken.For(ApocryphNames.PodId("p", "s", "other"), ApocryphNames.ProvisionPod, Key.Address, Now).JsonBytes();
        Assert.Equal("unauthenticated", ProvisionTokenCheck.Authenticate($"Bearer {Convert.ToBase64String(other)}.{parts[1]}", ApocryphNames.ProvisionPod, Now).Code);
        Assert.Equal("unauthenticated", ProvisionTokenCheck.Authenticate("Basic x", ApocryphNames.ProvisionPod, Now).Code);
    }

    [Fact]
    public void The_pod_id_is_the_same_for_a_slot_on_every_run_and_differs_between_slots_and_stacks()
    {
        Assert.Equal(PodId, ApocryphNames.PodId("scylla-apocryph", "apocryph-local", "demo-alpha-0"));
        Assert.NotEqual(PodId, ApocryphNames.PodId("scylla-apocryph", "apocryph-local", "demo-beta-0"));
        Assert.NotEqual(PodId, ApocryphNames.PodId("scylla-apocryph", "staging", "demo-alpha-0"));
    }

    [Fact]
    public void A_key_that_is_not_the_publishers_signs_no_token() =>
        Assert.Throws<InvalidOperationException>(() => ProvisionToken.For(PodId, ApocryphNames.ProvisionPod, "0x000000000000000000000000000000000000dEaD", Now).Bearer(Key));

    [EthersFact]
    public void Ethers_recovers_the_publisher_from_a_CSharp_token_and_derives_the_same_namespace()
    {
        var answer = EthersProcess.Call(new { op = "verifyToken", bearer = Token().Bearer(Key) });

        Assert.Equal(WalletSignatureTests.TestAddress, answer.GetProperty("address").GetString());
        Assert.Equal(ApocryphNames.Namespace(Key.Address, PodId), answer.GetProperty("namespace").GetString());
        Assert.Equal("2026-11-30T03:01:00Z", answer.GetProperty("token").GetProperty("ExpirationTime").GetString());
    }

    [EthersFact]
    public void A_token_signed_by_ethers_is_byte_identical_and_passes_the_providers_check()
    {
        var json = Encoding.UTF8.GetString(Token().JsonBytes());
        var bearer = EthersProcess.Call(new { op = "signToken", json }, WalletSignatureTests.TestKey).GetProperty("bearer").GetString()!;

        Assert.Equal(Token().Bearer(Key), bearer); // RFC 6979 k in both: the same bytes
        Assert.Null(ProvisionTokenCheck.Authenticate(bearer, ApocryphNames.ProvisionPod, Now).Code);
    }
}
