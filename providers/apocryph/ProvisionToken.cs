using System.Globalization;
using System.Text;
using ScyllaApocryph.Providers.Wallet;

namespace ScyllaApocryph.Providers.Apocryph;

/// <summary>
/// The bearer token an Apocryph provider checks on every ProvisionPodService call except GetPodInfos
/// (upstream pkg/proto/protoconnect/interceptors.go at 4bbf371): `Bearer base64(json).base64(sig)`, where json is
/// Go's encoding of {PodId, Operation, ExpirationTime, Publisher} (a 0x hash, the procedure path, RFC 3339 time,
/// a 0x address) and sig is go-ethereum's crypto.Sign over keccak256 of exactly those bytes: 65 bytes, low s,
/// recovery id 0/1, no EIP-191 prefix. Both parts are standard base64 with padding.
/// </summary>
public sealed record ProvisionToken(byte[] PodId, string Operation, DateTimeOffset ExpirationTime, string Publisher)
{
    /// <summary>How long a token lives: tpodctl's default expiration offset is short too; a call happens at once.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    /// <summary>The JSON bytes that are signed and sent, field order and formats as Go's encoding/json writes them.</summary>
    public byte[] JsonBytes()
    {
        if (PodId.Length != 32) throw new ArgumentException("a pod id is 32 bytes", nameof(PodId));
        var publisher = EthereumAddressText.Normalize(Publisher) ?? throw new ArgumentException("the publisher is not an address", nameof(Publisher));
        // Go's time.Time marshals as RFC 3339 with nanoseconds when present; whole seconds keep it exact.
        var expiry = ExpirationTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var json = $"{{\"PodId\":\"0x{Convert.ToHexStringLower(PodId)}\",\"Operation\":{System.Text.Json.JsonSerializer.Serialize(Operation)}," +
                   $"\"ExpirationTime\":\"{expiry}\",\"Publisher\":\"0x{publisher}\"}}";
        return Encoding.UTF8.GetBytes(json);
    }

    /// <summary>The Authorization header value, signed by <paramref name="key"/> (whose address must be the publisher).</summary>
    public string Bearer(WalletKey key)
    {
        if (!EthereumAddressText.AreEqual(key.Address, Publisher))
            throw new InvalidOperationException($"the wallet key belongs to {key.Address}, not to the publisher {Publisher}");
        var json = JsonBytes();
        var signature = key.SignHashRecoverable(EthereumSignature.Keccak256(json));
        return "Bearer " + Convert.ToBase64String(json) + "." + Convert.ToBase64String(signature);
    }

    /// <summary>A token for one call, expiring <see cref="Lifetime"/> after <paramref name="now"/>, whole seconds.</summary>
    public static ProvisionToken For(byte[] podId, string operation, string publisher, DateTimeOffset now) =>
        new(podId, operation, DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()) + Lifetime, publisher);
}
