using Google.Protobuf;
using ScyllaApocryph.Components.Apocryph.Proto;
using ScyllaApocryph.Providers.Apocryph;
using ScyllaApocryph.Providers.Apocryph.Proto;
using ScyllaApocryph.Providers.Autoscaler;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Tests.Apocryph;

/// <summary>The provider double refuses what upstream pkg/provider refuses, in the form upstream answers.</summary>
public sealed class ProviderDoubleRefusalTests
{
    private static readonly WalletKey Publisher = WalletKey.FromHex(Devnet.PublisherKey);

    [DevnetFact]
    public async Task Unpaid_wrong_provider_secret_without_contents_and_bad_NodePorts_are_refused_as_200_with_an_error()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var target = lab.Providers[0];
        var payments = await PaymentChannels.ConnectAsync(lab.Chain.RpcUrl, Publisher, lab.Chain.Payment, default);
        var podId = ApocryphNames.PodId("p", "s", "slot");
        var client = new ProvisionPodClient(new HttpClient(), target.Url, Publisher, podId, TimeProvider.System);
        var pod = Pod(ApocryphLab.Manifest());

        var unpaid = await Assert.ThrowsAsync<ProvisionRefusedException>(() => client.ProvisionAsync(pod, Channel(lab, target.Address, podId), default));
        Assert.Equal("Insufficient funds in payment channel", unpaid.Error);

        await payments.EnsureFundedAsync(target.Address, podId, 0, 10);
        var wrongProvider = await Assert.ThrowsAsync<ProvisionRefusedException>(() => client.ProvisionAsync(pod, Channel(lab, lab.Providers[1].Address, podId), default));
        Assert.StartsWith("Invalid provider address in payment channel", wrongProvider.Error);

        var stringSecret = Pod(ApocryphLab.Manifest().Replace("\"contents\":", "\"contentsString\":"));
        var noContents = await Assert.ThrowsAsync<ProvisionRefusedException>(() => client.ProvisionAsync(stringSecret, Channel(lab, target.Address, podId), default));
        Assert.Contains("cid", noContents.Error);

        // A cid on IPFS opened with another key fails GCM's tag check, as Go's cipher.AEAD.Open does.
        var files = new KuboFiles(new HttpClient(), lab.Kubo.ApiUrl);
        var sealedCid = await files.AddAsync(SecretSealing.Seal(SecretSealing.NewKey(), "x"u8.ToArray()), default);
        var wrongKey = Pod(ApocryphLab.Manifest());
        wrongKey.Volumes[1].Secret = new Volume.Types.SecretConfig
        {
            Cid = ByteString.CopyFrom(CidText.ToBytes(sealedCid)), Key = new Key { Data = ByteString.CopyFrom(SecretSealing.NewKey()) },
        };
        var badKey = await Assert.ThrowsAsync<ProvisionRefusedException>(() => client.ProvisionAsync(wrongKey, Channel(lab, target.Address, podId), default));
        Assert.Equal("cipher: message authentication failed", badKey.Error);

        var outOfRange = await Assert.ThrowsAsync<ProvisionRefusedException>(() =>
            client.ProvisionAsync(Pod(ApocryphLab.Manifest().Replace("\"hostTcpPort\":\"30701\"", "\"hostTcpPort\":\"7001\"")), Channel(lab, target.Address, podId), default));
        Assert.Contains("provided port is not in the valid range", outOfRange.Error);
        Assert.Empty(target.Pods); // every refusal left nothing behind

        await client.ProvisionAsync(pod, Channel(lab, target.Address, podId), default);
        var otherPod = ApocryphNames.PodId("p", "s", "other");
        await payments.EnsureFundedAsync(target.Address, otherPod, 0, 10);
        var taken = await Assert.ThrowsAsync<ProvisionRefusedException>(() =>
            new ProvisionPodClient(new HttpClient(), target.Url, Publisher, otherPod, TimeProvider.System).ProvisionAsync(pod, Channel(lab, target.Address, otherPod), default));
        Assert.Contains("provided port is already allocated", taken.Error);
        var again = await Assert.ThrowsAsync<ProvisionRefusedException>(() => client.ProvisionAsync(pod, Channel(lab, target.Address, podId), default));
        Assert.Contains("already exists", again.Error);
    }

    [DevnetFact]
    public async Task A_payment_for_another_publisher_is_unauthenticated_and_deleting_an_unknown_pod_is_a_failed_precondition()
    {
        await using var lab = await ApocryphLab.StartAsync();
        var target = lab.Providers[0];
        var podId = ApocryphNames.PodId("p", "s", "slot");
        var client = new ProvisionPodClient(new HttpClient(), target.Url, Publisher, podId, TimeProvider.System);
        var channel = Channel(lab, target.Address, podId);
        channel.PublisherAddress = ByteString.CopyFrom(new byte[20]);

        var e = await Assert.ThrowsAsync<ConnectException>(() => client.ProvisionAsync(Pod(ApocryphLab.Manifest()), channel, default));
        Assert.Equal("unauthenticated", e.Code);
        var missing = await Assert.ThrowsAsync<ConnectException>(() => client.DeleteAsync(default));
        Assert.Equal("failed_precondition", missing.Code);
        Assert.Equal("", await client.GetPodInfosAsync("tpod-none", default)); // no token needed, nothing there
    }

    private static Pod Pod(string json) => JsonParser.Default.Parse<Pod>(json);

    private static PaymentChannel Channel(ApocryphLab lab, string provider, byte[] podId) => new()
    {
        ChainID = ByteString.CopyFrom([0x7a, 0x69]), // 31337
        ContractAddress = ByteString.CopyFrom(Convert.FromHexString(lab.Chain.Payment[2..])),
        PublisherAddress = ByteString.CopyFrom(Convert.FromHexString(Publisher.Address[2..])),
        ProviderAddress = ByteString.CopyFrom(Convert.FromHexString(provider[2..])),
        PodID = ByteString.CopyFrom(podId),
    };
}
