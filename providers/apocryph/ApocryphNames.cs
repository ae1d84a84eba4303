using System.Text;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>Every name the Apocryph provider derives, in one place.</summary>
public static class ApocryphNames
{
    public const string ProvisionProtocol = "/x/apocryph/provision-pod/0.0.1";
    public const string ServicePath = "/apocryph.proto.v0.provisionPod.ProvisionPodService/";
    public const string ProvisionPod = ServicePath + "ProvisionPod";
    public const string UpdatePod = ServicePath + "UpdatePod";
    public const string DeletePod = ServicePath + "DeletePod";
    public const string GetPodInfos = ServicePath + "GetPodInfos";

    /// <summary>
    /// The pod id of a node slot: the same on every run for the same project, stack and slot, so a create replayed
    /// after a crash finds the channel (and pod) it made before. It is also the payment channel's podId.
    /// </summary>
    public static byte[] PodId(string project, string stack, string slot) =>
        EthereumSignature.Keccak256(Encoding.UTF8.GetBytes($"scylla-apocryph pod v1\n{project}\n{stack}\n{slot}"));

    /// <summary>
    /// The provider's namespace for a pod: "tpod-" + lowercase unpadded base32 of keccak256(publisher || podId),
    /// as upstream's NamespaceFromTokenParts (pkg/proto/protoconnect/interceptors.go at 4bbf371).
    /// </summary>
    public static string Namespace(string publisher, byte[] podId)
    {
        var address = Convert.FromHexString(EthereumAddressText.Normalize(publisher) ?? throw new ArgumentException("not an address", nameof(publisher)));
        return "tpod-" + Base32(EthereumSignature.Keccak256([.. address, .. podId])).ToLowerInvariant();
    }

    /// <summary>RFC 4648 base32 without padding.</summary>
    private static string Base32(byte[] data)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) text.Append(alphabet[(buffer << (5 - bits)) & 31]);
        return text.ToString();
    }
}
